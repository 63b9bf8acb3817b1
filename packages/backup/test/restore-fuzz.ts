/**
 * The restore side of the fuzz suite: seed archives shaped as restores meet them (an image task, a
 * two-task project, a lightweight task, a CVAT video task, a CVAT deflated image task, the same
 * in ZIP64), and what a restore does with an archive before its transaction, run without a
 * catalog: open, every check importTask/importProject run before writing anything, the pure steps
 * that turn the archive into catalog rows, and the media copy into a real local storage.
 */
import { PassThrough } from 'node:stream';
import { openBackup, type TaskContent, ZipWriter } from '@cvat-backup/format';
import {
  asZip64,
  cvatDeflatedArchive,
  lightweightTaskArchive,
  newestTaskArchive,
  type SeedArchive,
  twoTaskProjectArchive,
} from '@cvat-backup/format/testing/fuzz/seed-archives';
import { openRandomAccess, type StorageDriver } from '@cvat-backup/storage';
import { frameRange, manifestFile, manifestImages, manifestLines } from '../src/import/archive-media.js';
import { manifestType, readVideoManifest, videoFile, videoFrames } from '../src/import/archive-video.js';
import { segmentGeometry, segmentsOf } from '../src/import/catalog-jobs.js';
import { toLabelInputs } from '../src/import/catalog-labels.js';
import { checkTask, copyTaskMedia, type ImportDependencies } from '../src/import/task-importer.js';
import { cvatEntries } from './cvat-video-archive.js';

async function cvatVideoArchive(): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (chunk: Buffer) => parts.push(chunk));
  const zip = new ZipWriter(out);
  for (const [name, content] of cvatEntries()) {
    await zip.addBuffer(name, Buffer.isBuffer(content) ? content : Buffer.from(content));
  }
  await zip.finish();
  return Buffer.concat(parts);
}

export async function restoreSeeds(): Promise<SeedArchive[]> {
  const deflated = cvatDeflatedArchive();
  return [
    { name: 'newest image task', bytes: await newestTaskArchive() },
    { name: 'two-task project', bytes: await twoTaskProjectArchive() },
    { name: 'lightweight image task', bytes: await lightweightTaskArchive() },
    { name: 'CVAT 2022 video task', bytes: await cvatVideoArchive() },
    { name: 'CVAT 2022 deflated', bytes: deflated },
    { name: 'CVAT 2022 ZIP64', bytes: asZip64(deflated) },
  ];
}

async function drain(items: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of items) n++;
  return n;
}

/** What createTask derives from the archive (minus the catalog): rows, frames, manifest lines. */
async function deriveRows(task: TaskContent): Promise<void> {
  const { meta } = task;
  toLabelInputs(meta.labels);
  segmentsOf(meta.jobs);
  segmentGeometry(meta.jobs, meta.data.custom_segments === true);
  const manifest = manifestFile(task)!;
  await drain(manifestLines(manifest));
  if ((await manifestType(manifest)) === 'video') {
    const video = await readVideoManifest(manifest);
    videoFile(task, video);
    videoFrames(task, video, frameRange(meta.data));
  } else {
    await drain(manifestImages(manifest, frameRange(meta.data)));
  }
}

/**
 * Runs the restore of the archive at `upload` up to its transaction, reading it as runImport does
 * (ranged reads through the storage seam); media go to `media`. Returns the task count.
 */
export async function exerciseRestore(
  upload: { driver: StorageDriver; key: string },
  media: StorageDriver,
  requestId: string,
): Promise<number> {
  const archive = await openBackup(await openRandomAccess(upload.driver, upload.key));
  try {
    const tasks = archive.kind === 'task' ? [archive.task] : archive.tasks;
    for (const task of tasks) await checkTask(task);
    for (const task of tasks) await deriveRows(task);
    // The copy needs no catalog: only its storage is handed over.
    const deps = { localMedia: media, copyConcurrency: 2 } as ImportDependencies;
    for (const task of tasks) await copyTaskMedia(deps, task, { importRequestId: requestId });
    return tasks.length;
  } finally {
    await archive.close();
  }
}

/** Stages an upload the way the API does: one atomic write into storage. */
export async function stageUpload(driver: StorageDriver, key: string, bytes: Buffer): Promise<void> {
  const write = driver.openWrite(key, { sizeHint: bytes.length });
  write.end(bytes);
  await write.commit();
}
