/**
 * What a restore does with an archive at the format level, with its results checked: open it,
 * read every task's annotations, manifest and guide, verify every entry, read every entry again
 * independently (length and CRC-32 must match the directory), and extract the media into `outDir`.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { type BackupArchive, openBackup, type TaskContent } from '../../archive/backup-reader.js';
import { readMediaManifest } from '../../archive/media-manifest-reader.js';
import { BufferSource } from '../../zip/random-access-source.js';

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream);
}

async function readTask(task: TaskContent): Promise<void> {
  const summary = await task.validateAnnotations();
  if (summary.jobs > task.meta.jobs.length) {
    throw new Error(`${summary.jobs} annotation jobs read for ${task.meta.jobs.length} jobs`);
  }
  const manifest = task.media.find((m) => m.path === 'manifest.jsonl');
  if (manifest) await drain(readMediaManifest(await manifest.open(), { entry: manifest.entry }));
  for (const asset of task.guide?.assets ?? []) await drain(await asset.open());
}

/** Every entry read once more: what came out must be what the central directory promised. */
async function expectConsistent(archive: BackupArchive): Promise<void> {
  let total = 0;
  for (const entry of archive.zip.entries) {
    let length = 0;
    let crc = 0;
    for await (const chunk of await archive.zip.openEntry(entry)) {
      length += (chunk as Buffer).length;
      crc = crc32(chunk as Buffer, crc);
    }
    if (length !== entry.size || crc >>> 0 !== entry.crc32 >>> 0) {
      throw new Error(`"${entry.name}" read ${length} bytes with CRC ${crc}, not what was declared`);
    }
    total += length;
  }
  const report = await archive.verify();
  if (report.entries !== archive.zip.entries.length || report.bytes !== total) {
    throw new Error(`verify() reported ${JSON.stringify(report)}, the entries hold ${total} bytes`);
  }
}

async function extract(task: TaskContent, outDir: string): Promise<void> {
  for (const media of task.media) {
    const target = resolve(outDir, task.prefix, 'data', media.path);
    if (!target.startsWith(outDir + sep)) throw new Error(`"${media.entry}" escapes the target directory`);
    await mkdir(dirname(target), { recursive: true });
    await pipeline(await media.open(), createWriteStream(target));
  }
}

/** Resolves when the archive was read consistently; rejects with whatever the reader threw. */
export async function exerciseArchive(bytes: Buffer, outDir: string): Promise<BackupArchive['kind']> {
  const archive = await openBackup(new BufferSource(bytes));
  try {
    const tasks = archive.kind === 'task' ? [archive.task] : archive.tasks;
    for (const task of tasks) await readTask(task);
    if (archive.kind === 'project')
      for (const asset of archive.guide?.assets ?? []) await drain(await asset.open());
    await expectConsistent(archive);
    for (const task of tasks) await extract(task, outDir);
    return archive.kind;
  } finally {
    await archive.close();
  }
}
