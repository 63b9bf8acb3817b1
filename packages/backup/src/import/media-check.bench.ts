/**
 * What the check of copied media (checkCopiedMedia, under the request's lock before the rows) costs
 * a restore of a task of many small images: the whole restore (real PostgreSQL, local storage) and
 * the check alone, as one listing of the prefix (what runs) and as one head per file, 16 at a time
 * (the obvious alternative). Both are sound under the lock; the listing needs a thousandth of the
 * round trips where a store is remote.
 *
 * Run (the fixture reads the TEST_* variables vitest's global setup sets; only PostgreSQL is used):
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres TEST_REDIS_URL=- TEST_S3_ENDPOINT=- \
 *   TEST_S3_REGION=- TEST_S3_ACCESS_KEY_ID=- TEST_S3_SECRET_ACCESS_KEY=- TEST_AZURE_CONNECTION_STRING=- \
 *   TEST_GCS_ENDPOINT=- npx tsx --conditions=source packages/backup/src/import/media-check.bench.ts
 * Env: BENCH_IMAGES (default 10000), BENCH_RUNS (default 3).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSource, openBackup } from '@cvat-backup/format';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { openFixture } from '../../test/export-fixture.js';
import { exportTaskToFile } from '../../test/restore-helpers.js';
import { joinKey } from '../export/prefetching-media.js';
import { checkCopiedMedia, copiedFiles } from './archive-media.js';
import { importTask, taskMediaPrefix } from './task-importer.js';

const IMAGES = Number(process.env['BENCH_IMAGES'] ?? 10_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const IMAGE_BYTES = 2048;

/** The alternative: one head per copied file, `concurrency` at a time. */
async function headEach(
  files: ReturnType<typeof copiedFiles>,
  driver: StorageDriver,
  prefix: string,
  concurrency: number,
) {
  let next = 0;
  let bad = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const info = await driver.head(joinKey(prefix, file.path));
      if (info?.size !== file.size) bad++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (bad > 0) throw new Error(`${bad} files missing`);
}

const seconds = async (fn: () => Promise<unknown>) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const fx = await openFixture();
const root = await mkdtemp(path.join(tmpdir(), 'cvb-media-check-'));
const media = new LocalDriver({ kind: 'local', root });
try {
  const task = await fx.catalog.tasks.create(fx.actor, {
    name: 'many images',
    segment_size: 1000,
    labels: [{ name: 'car', type: 'rectangle' }],
  });
  const prefix = `tasks/${task.id}/raw/`;
  await mkdir(path.join(root, prefix, 'images'), { recursive: true });
  const manifest = ['{"version":"1.1"}', '{"type":"images"}'];
  for (let i = 0; i < IMAGES; i++) {
    await writeFile(path.join(root, prefix, 'images', `img_${i}.jpg`), Buffer.alloc(IMAGE_BYTES, i % 251));
    manifest.push(JSON.stringify({ name: `images/img_${i}`, extension: '.jpg', width: 10, height: 20 }));
  }
  await fx.catalog.data.create(task.id, {
    image_quality: 70,
    media_prefix: prefix,
    stop_frame: IMAGES - 1,
    images: Array.from({ length: IMAGES }, (_, frame) => ({
      frame,
      path: `images/img_${frame}.jpg`,
      width: 10,
      height: 20,
      byte_size: IMAGE_BYTES,
    })),
    manifest,
  });
  await fx.catalog.jobs.createSegments(
    task.id,
    Array.from({ length: Math.ceil(IMAGES / 1000) }, (_, j) => ({
      start_frame: j * 1000,
      stop_frame: Math.min(IMAGES, (j + 1) * 1000) - 1,
    })),
  );
  const file = await exportTaskToFile(fx, media, task.id, root, 'many.zip');

  const rows: Record<'restore' | 'listing' | 'head each', number[]> = {
    restore: [],
    listing: [],
    'head each': [],
  };
  for (let run = 0; run < RUNS; run++) {
    const backup = await openBackup(await FileSource.open(file), { expect: 'task' });
    if (backup.kind !== 'task') throw new Error('expected a task backup');
    const importRequestId = `bench-${run}`;
    const deps = { catalog: fx.catalog, localMedia: media };
    rows.restore.push(
      await seconds(() => importTask(deps, backup.task, { userId: fx.actor.id, importRequestId })),
    );
    const copiedTo = taskMediaPrefix({ importRequestId }, backup.task);
    const files = copiedFiles(backup.task);
    // Alternate the order, so neither always meets the cache the other warmed.
    const checks = [
      ['listing', () => checkCopiedMedia(backup.task, media, copiedTo)],
      ['head each', () => headEach(files, media, copiedTo, 16)],
    ] as const;
    for (const [name, check] of run % 2 ? [...checks].reverse() : checks)
      rows[name].push(await seconds(check));
    await backup.close();
  }
  console.log(
    `${IMAGES} images of ${IMAGE_BYTES} bytes, local storage, real PostgreSQL, ${RUNS} runs (median)`,
  );
  const restore = median(rows.restore);
  for (const [name, xs] of Object.entries(rows))
    console.log(
      `${name.padEnd(10)} ${median(xs).toFixed(3)} s${name === 'restore' ? '' : ` (${((median(xs) / restore) * 100).toFixed(1)}% of the restore)`}  runs: ${xs.map((x) => x.toFixed(3)).join(' ')}`,
    );
} finally {
  await media.close();
  await fx.close();
  await rm(root, { recursive: true, force: true });
}
