import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StorageDriver } from '@cvat-backup/storage';
import type { Fixture } from './export-fixture.js';

/** Six uploaded images, `images/image_0.jpg` … `images/image_5.jpg` (CVAT's REST backup test). */
export const RANGE_FILES = [0, 1, 2, 3, 4, 5].map((i) => `images/image_${i}.jpg`);
/**
 * Related images (CVAT's `related_images/<name>_<ext>/` layout) of image_2 (out of range) and
 * image_3; image_0 and image_1 share one (CVAT's RelatedFile rows are shared between images).
 */
export const RELATED: Record<string, string[]> = {
  'images/image_0.jpg': ['related_images/shared/top.jpg'],
  'images/image_1.jpg': ['related_images/shared/top.jpg'],
  'images/image_2.jpg': ['related_images/images_image_2_jpg/side.jpg'],
  'images/image_3.jpg': ['related_images/images_image_3_jpg/side.jpg'],
};
/** Each related image once. */
export const RELATED_FILES = [...new Set(Object.values(RELATED).flat())];
/** start 1, stop 4, step=2: the task's frames are image_1 (frame 0) and image_3 (frame 1). */
export const RANGE = { start_frame: 1, stop_frame: 4, frame_filter: 'step=2' } as const;
/** The range the catalog keeps: the last frame kept, 1 + (2 − 1)·2 (as CVAT stores it). */
export const STORED_RANGE = { ...RANGE, stop_frame: 3 } as const;
export const TASK_FILES = ['images/image_1.jpg', 'images/image_3.jpg'];

export const fileBytes = (path: string) =>
  Buffer.from(`\xff\xd8 ${path} ${'y'.repeat(path.length)}`, 'latin1');

/** The manifest as CVAT writes it for the six uploads, one line per file (without newlines). */
export function rangeManifest(): string[] {
  return [
    '{"version":"1.1"}',
    '{"type":"images"}',
    ...RANGE_FILES.map((path, i) =>
      JSON.stringify({
        name: path.slice(0, -'.jpg'.length),
        extension: '.jpg',
        width: 10 + i,
        height: 20 + i,
        meta: { related_images: RELATED[path] ?? [] },
        checksum: `c${i}`,
      }),
    ),
  ];
}

export async function putFile(driver: StorageDriver, key: string, bytes: Buffer): Promise<void> {
  const write = driver.openWrite(key, { sizeHint: bytes.length });
  await pipeline(Readable.from([bytes]), write);
  await write.commit();
}

/** Where a fixture task's media are: `prefix` in the local storage, or in the cloud storage given. */
export interface Placement {
  name: string;
  prefix: string;
  cloudStorageId?: number;
}

const placement = (options: Placement) => ({
  media_prefix: options.prefix,
  ...(options.cloudStorageId === undefined
    ? {}
    : { storage: 'cloud_storage' as const, cloud_storage_id: options.cloudStorageId }),
});

/** Stores `files` (their bytes from {@link fileBytes}) under the prefix and creates the task, one label. */
async function taskWithFiles(
  fx: Fixture,
  driver: StorageDriver,
  options: Placement,
  files: string[],
  segmentSize: number,
) {
  for (const path of files) await putFile(driver, `${options.prefix}${path}`, fileBytes(path));
  return fx.catalog.tasks.create(fx.actor, {
    name: options.name,
    segment_size: segmentSize,
    labels: [{ name: 'car', type: 'rectangle' }],
  });
}

/**
 * A task over the six images with start 1, stop 4, step=2, as the API creates it: every upload (and
 * related image) under `prefix` in `driver`, the whole manifest in the catalog, image rows for the
 * task's two frames only. One annotation job over both frames, a rectangle on each.
 */
export async function createRangeTask(
  fx: Fixture,
  driver: StorageDriver,
  options: Placement,
): Promise<number> {
  const { catalog } = fx;
  const task = await taskWithFiles(fx, driver, options, [...RANGE_FILES, ...RELATED_FILES], 2);
  await catalog.data.create(task.id, {
    image_quality: 70,
    chunk_size: 72,
    ...RANGE,
    ...placement(options),
    images: TASK_FILES.map((path, frame) => ({
      frame,
      path,
      width: 10 + RANGE_FILES.indexOf(path),
      height: 20 + RANGE_FILES.indexOf(path),
      byte_size: fileBytes(path).length,
      related_files: RELATED[path] ?? [],
    })),
    manifest: rangeManifest(),
  });
  const [job] = await catalog.jobs.createSegments(task.id, [{ start_frame: 0, stop_frame: 1 }]);
  const [car] = await catalog.labels.treeOfTask(task.id);
  await catalog.annotations.append(job!.id, [
    { kind: 'shape', value: { label_id: car!.id, type: 'rectangle', frame: 0, points: [1, 1, 2, 2] } },
    { kind: 'shape', value: { label_id: car!.id, type: 'rectangle', frame: 1, points: [3, 3, 4, 4] } },
  ]);
  return task.id;
}

/** Honeypot layout (CVAT's gt_pool): frames 1 and 3 are placeholders repeating validation frames 4 and 5. */
export const HONEYPOT_FRAMES = ['a', 'c', 'b', 'd', 'c', 'd'].map((n) => `images/${n}.jpg`);
export const HONEYPOT_FILES = ['images/a.jpg', 'images/b.jpg', 'images/c.jpg', 'images/d.jpg'];
export const HONEYPOT_RELATED: Record<string, string[]> = {
  'images/c.jpg': ['related_images/images_c_jpg/r.jpg'],
};

/**
 * A gt_pool task over four files and six frames, its manifest one line per frame (placeholders
 * included, as CVAT rewrites it), `frames_per_job_count` null (what a restore of an archive without
 * it keeps). Two annotation jobs of two frames (one honeypot each) and the ground-truth job.
 */
export async function createHoneypotTask(
  fx: Fixture,
  driver: StorageDriver,
  options: Placement,
): Promise<number> {
  const { catalog } = fx;
  const files = [...HONEYPOT_FILES, ...Object.values(HONEYPOT_RELATED).flat()];
  const task = await taskWithFiles(fx, driver, options, files, 0);
  await catalog.data.create(task.id, {
    image_quality: 70,
    sorting_method: 'random',
    ...placement(options),
    validation_layout: { mode: 'gt_pool', frames: [4, 5], frames_per_job_count: null, disabled_frames: [] },
    images: HONEYPOT_FRAMES.map((path, frame) => ({
      frame,
      path,
      width: 10,
      height: 20,
      byte_size: fileBytes(path).length,
      related_files: HONEYPOT_RELATED[path] ?? [],
    })),
    manifest: [
      '{"version":"1.1"}',
      '{"type":"images"}',
      ...HONEYPOT_FRAMES.map((path) =>
        JSON.stringify({
          name: path.slice(0, -'.jpg'.length),
          extension: '.jpg',
          width: 10,
          height: 20,
          meta: { related_images: HONEYPOT_RELATED[path] ?? [] },
        }),
      ),
    ],
  });
  await catalog.jobs.createSegments(task.id, [
    { start_frame: 0, stop_frame: 1 },
    { start_frame: 2, stop_frame: 3 },
    {
      type: 'specific_frames',
      start_frame: 4,
      stop_frame: 5,
      frames: [4, 5],
      jobs: [{ type: 'ground_truth' }],
    },
  ]);
  return task.id;
}
