import { createWriteStream } from 'node:fs';
import type { AnnotationEvent } from '../archive/annotations-reader.js';
import type { TaskContent } from '../archive/backup-reader.js';
import type { Shape, Tag, Track } from '../schema/annotations.schema.js';
import { ZipWriter } from '../zip/zip-writer.js';
import { collect } from './temp-dir.js';

export interface CollectedJob {
  version: number;
  tags: Tag[];
  shapes: Shape[];
  tracks: Track[];
}

/** Gathers a (small, test-sized) annotation stream back into per-job arrays. */
export async function collectAnnotations(events: AsyncIterable<AnnotationEvent>): Promise<CollectedJob[]> {
  const jobs: CollectedJob[] = [];
  for await (const e of events) {
    if (e.kind === 'job-start') jobs[e.job] = { version: 0, tags: [], shapes: [], tracks: [] };
    else if (e.kind === 'tag') jobs[e.job]!.tags.push(e.value);
    else if (e.kind === 'shape') jobs[e.job]!.shapes.push(e.value);
    else if (e.kind === 'track') jobs[e.job]!.tracks.push(e.value);
    else jobs[e.job]!.version = e.version;
  }
  return jobs;
}

export async function mediaContents(task: TaskContent): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const m of task.media) out[m.path] = (await collect(await m.open())).toString('latin1');
  return out;
}

/** Writes raw entries (any era's JSON as CVAT of that time wrote it) with the zip writer. */
export async function writeRawArchive(
  path: string,
  entries: Array<[string, string | Buffer]>,
): Promise<void> {
  const zip = new ZipWriter(createWriteStream(path));
  for (const [name, content] of entries)
    await zip.addBuffer(name, Buffer.isBuffer(content) ? content : Buffer.from(content));
  await zip.finish();
}
