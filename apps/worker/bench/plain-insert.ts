/**
 * The restore's reference: the records of an unzipped task backup written straight through the
 * catalog repositories in one transaction (task with labels, data with images and manifest, jobs,
 * annotations), with no archive reading, validation or media copy. The JSON documents are parsed
 * whole, which a bench may do.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Actor, AnnotationItem, Catalog, ImageInput } from '@cvat-backup/catalog';

interface ArchivedTask {
  name: string;
  labels: Array<{ name: string; color?: string }>;
  data: { image_quality: number; chunk_size?: number; start_frame?: number; stop_frame?: number };
  jobs: Array<{ start_frame: number; stop_frame: number }>;
}

interface ArchivedObject {
  label: string;
  frame: number;
  group?: number | null;
  source?: string;
  type?: string;
  occluded?: boolean;
  outside?: boolean;
  z_order?: number;
  rotation?: number;
  points?: number[];
}

interface ArchivedJob {
  tags: ArchivedObject[];
  shapes: ArchivedObject[];
  tracks: unknown[];
}

/** Inserts the task found in `dir` (an unzipped backup) for `actor`; returns its id. */
export async function plainInsert(catalog: Catalog, actor: Actor, dir: string): Promise<number> {
  const task = JSON.parse(await readFile(path.join(dir, 'task.json'), 'utf8')) as ArchivedTask;
  const jobs = JSON.parse(await readFile(path.join(dir, 'annotations.json'), 'utf8')) as ArchivedJob[];
  const manifest = (await readFile(path.join(dir, 'data', 'manifest.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean);
  const images: ImageInput[] = [];
  for (const line of manifest) {
    const entry = JSON.parse(line) as { name?: string; extension?: string; width?: number; height?: number };
    if (entry.name === undefined) continue;
    images.push({
      frame: images.length,
      path: `${entry.name}${entry.extension ?? ''}`,
      width: entry.width ?? 1,
      height: entry.height ?? 1,
    });
  }
  const segmentSize = task.jobs[0] ? task.jobs[0].stop_frame - task.jobs[0].start_frame + 1 : images.length;
  return catalog.transaction(async (tx) => {
    const created = await tx.tasks.create(actor, {
      name: task.name,
      segment_size: segmentSize,
      owner_id: actor.id,
      labels: task.labels.map((l) => ({ name: l.name, ...(l.color ? { color: l.color } : {}) })),
      mode: 'annotation',
    });
    await tx.data.create(created.id, {
      image_quality: task.data.image_quality,
      chunk_size: task.data.chunk_size ?? null,
      storage: 'local',
      media_prefix: `tasks/${created.id}/reference/`,
      images,
      manifest,
    });
    const jobRecords = await tx.jobs.createSegments(
      created.id,
      task.jobs.map((j) => ({ start_frame: j.start_frame, stop_frame: j.stop_frame })),
    );
    const labelIds = new Map((await tx.labels.treeOfTask(created.id)).map((l) => [l.name, l.id]));
    const label = (name: string) => {
      const id = labelIds.get(name);
      if (id === undefined) throw new Error(`label ${name} is not in task.json`);
      return id;
    };
    for (const [i, job] of jobs.entries()) {
      const jobId = jobRecords[i]?.id;
      if (jobId === undefined) break;
      await tx.annotations.append(jobId, items(job, label));
    }
    return created.id;
  });
}

function* items(job: ArchivedJob, label: (name: string) => number): Iterable<AnnotationItem> {
  for (const t of job.tags)
    yield { kind: 'tag', value: { label_id: label(t.label), frame: t.frame, group: t.group ?? 0 } };
  for (const s of job.shapes)
    yield {
      kind: 'shape',
      value: {
        label_id: label(s.label),
        type: s.type as 'rectangle',
        frame: s.frame,
        group: s.group ?? 0,
        occluded: s.occluded ?? false,
        outside: s.outside ?? false,
        z_order: s.z_order ?? 0,
        rotation: s.rotation ?? 0,
        points: s.points ?? [],
      },
    };
  if (job.tracks.length > 0) throw new Error('the bench tasks have no tracks');
}
