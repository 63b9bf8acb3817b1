import { isAppError } from '@cvat-backup/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf, openTestCatalog, seedActor, type TestCatalog } from '../../test/catalog-fixture.js';
import type { Actor } from '../repositories/common.types.js';
import { type DataStorage, type ImageInput, mediaSource } from '../repositories/data.repository.js';

let t: TestCatalog;
let owner: Actor;
let other: Actor;
beforeAll(async () => {
  t = await openTestCatalog();
  [owner, other] = await Promise.all([seedActor(t.catalog), seedActor(t.catalog)]);
});
afterAll(async () => {
  await t.close();
});

async function* images(n: number): AsyncIterable<ImageInput> {
  for (let frame = 0; frame < n; frame++)
    yield {
      frame,
      path: `images/img_${frame}\t"odd"\\name.jpg`,
      width: 640,
      height: 480,
      byte_size: 1000 + frame,
    };
}

const cloudStorage = (actor: Actor) =>
  t.catalog.cloudStorages.create(actor, {
    provider_type: 'AWS_S3_BUCKET',
    resource: 'bucket',
    display_name: 'b',
    credentials_type: 'ANONYMOUS_ACCESS',
  });

describe('task data', () => {
  it('stores data, streamed images (COPY) and the manifest, and sets the task mode and size', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'img' });
    const manifest = [
      '{"version":"1.1"}',
      '{"type":"images"}',
      '{"name":"images/img_0","extension":".jpg","width":640,"height":480}',
    ];
    const data = await t.catalog.data.create(task.id, {
      image_quality: 70,
      chunk_size: 36,
      sorting_method: 'natural',
      media_prefix: 'tasks/1/raw/',
      images: images(2500),
      manifest,
    });
    expect(data).toMatchObject({
      task_id: task.id,
      image_quality: 70,
      chunk_size: 36,
      size: 2500,
      start_frame: 0,
      stop_frame: 2499,
      frame_filter: '',
      sorting_method: 'natural',
      storage_method: 'cache',
      storage: 'local',
      cloud_storage_id: null,
      compressed_chunk_type: 'imageset',
      media_type: 'image',
      media_prefix: 'tasks/1/raw/',
      deleted_frames: [],
      validation_layout: null,
    });
    const read = await t.catalog.tasks.get(owner, task.id);
    expect(read).toMatchObject({
      data: data.id,
      size: 2500,
      mode: 'annotation',
      image_quality: 70,
      data_chunk_size: 36,
      data_storage: 'local',
    });
    const frames: number[] = [];
    let first: unknown;
    for await (const image of t.catalog.data.images(data.id)) {
      frames.push(image.frame);
      first ??= image;
    }
    expect(frames).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(first).toEqual({
      frame: 0,
      path: 'images/img_0\t"odd"\\name.jpg',
      width: 640,
      height: 480,
      byte_size: 1000,
      related_files: [],
    });
    const lines: string[] = [];
    for await (const line of t.catalog.data.manifestLines(data.id)) lines.push(line);
    expect(lines).toEqual(manifest);
    expect((await t.catalog.data.image(data.id, 17))?.path).toContain('img_17');
    expect(await t.catalog.data.image(data.id, 2500)).toBeNull();
    const range: number[] = [];
    for await (const image of t.catalog.data.images(data.id, { from: 10, to: 12 })) range.push(image.frame);
    expect(range).toEqual([10, 11, 12]);
  });

  it('ends a stepped frame range at the last frame kept, in the source numbering', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'stepped' });
    // Source frames 1..9 with step 3 keep 1, 4, 7: three frames, the last one source frame 7.
    const data = await t.catalog.data.create(task.id, {
      image_quality: 70,
      start_frame: 1,
      stop_frame: 9,
      frame_filter: 'step=3',
      images: images(3),
    });
    expect(data).toMatchObject({ size: 3, start_frame: 1, stop_frame: 7, frame_filter: 'step=3' });
  });

  it('refuses a second data upload, and leaves nothing when an image row is invalid', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'once' });
    await t.catalog.data.create(task.id, { image_quality: 50, images: images(1) });
    expect(await errorCodeOf(t.catalog.data.create(task.id, { image_quality: 50 }))).toBe(
      'CATALOG_DATA_ALREADY_ATTACHED',
    );
    const broken = await t.catalog.tasks.create(owner, { name: 'broken' });
    const bad = [
      { frame: 0, path: 'a.jpg', width: 1, height: 1 },
      { frame: 0, path: 'dup.jpg', width: 1, height: 1 },
    ];
    expect(await errorCodeOf(t.catalog.data.create(broken.id, { image_quality: 50, images: bad }))).toBe(
      'CATALOG_CONFLICT',
    );
    expect(await t.catalog.data.getForTask(broken.id)).toBeNull();
    expect(await errorCodeOf(t.catalog.data.create(broken.id, { image_quality: 101 }))).toBe(
      'CATALOG_INVALID_VALUE',
    );
    expect(await errorCodeOf(t.catalog.data.create(424242, { image_quality: 50 }))).toBe(
      'CATALOG_REFERENCE_NOT_FOUND',
    );
  });

  it('keeps one video with its size and sets interpolation mode', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'vid' });
    const data = await t.catalog.data.create(task.id, {
      image_quality: 70,
      size: 300,
      video: { path: 'v.mp4', width: 1920, height: 1080, byte_size: 5e9 },
    });
    expect(data).toMatchObject({
      size: 300,
      stop_frame: 299,
      compressed_chunk_type: 'video',
      media_type: 'video',
    });
    expect(await t.catalog.data.video(data.id)).toEqual({
      path: 'v.mp4',
      width: 1920,
      height: 1080,
      byte_size: 5e9,
    });
    expect((await t.catalog.tasks.get(owner, task.id))?.mode).toBe('interpolation');
  });

  it('stores the validation layout', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'honeypots' });
    const layout = {
      mode: 'gt_pool' as const,
      frames: [8, 9],
      frames_per_job_count: 1,
      disabled_frames: [9],
    };
    const data = await t.catalog.data.create(task.id, {
      image_quality: 70,
      images: images(10),
      validation_layout: layout,
    });
    expect(data.validation_layout).toEqual(layout);
    expect((await t.catalog.tasks.get(owner, task.id))?.validation_mode).toBe('gt_pool');
  });

  it('restored detached: attaches a cloud storage later (data/meta PATCH), never onto local data', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'detached' });
    await t.catalog.data.create(task.id, { image_quality: 70, storage: 'cloud_storage', images: images(3) });
    const before = await t.catalog.data.get(owner, task.id);
    expect(before).toMatchObject({ storage: 'cloud_storage', cloud_storage_id: null });
    const detached = (() => {
      try {
        return mediaSource(task.id, before);
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(detached, 'CATALOG_TASK_DETACHED')).toBe(true);
    expect((detached as Error).message).toContain('attach a cloud storage to this task');
    expect((detached as { status: number }).status).toBe(400);
    const mine = await cloudStorage(owner);
    const theirs = await cloudStorage(other);
    expect(await errorCodeOf(t.catalog.data.update(owner, task.id, { cloud_storage_id: theirs.id }))).toBe(
      'CATALOG_REFERENCE_NOT_FOUND',
    );
    const attached = await t.catalog.data.update(owner, task.id, { cloud_storage_id: mine.id });
    expect(attached?.cloud_storage_id).toBe(mine.id);
    expect(attached!.chunks_updated_date.getTime()).toBeGreaterThan(before!.chunks_updated_date.getTime());
    expect((await t.catalog.tasks.get(owner, task.id))?.data_cloud_storage_id).toBe(mine.id);
    expect(mediaSource(task.id, attached)).toEqual({
      kind: 'cloud_storage',
      cloudStorageId: mine.id,
      prefix: '',
    });
    expect(await t.catalog.data.update(other, task.id, { cloud_storage_id: mine.id })).toBeNull();
    const local = await t.catalog.tasks.create(owner, { name: 'local' });
    await t.catalog.data.create(local.id, { image_quality: 70, images: images(1) });
    expect(await errorCodeOf(t.catalog.data.update(owner, local.id, { cloud_storage_id: mine.id }))).toBe(
      'CATALOG_INVALID_VALUE',
    );
  });

  it('updates deleted_frames within [0, size) only', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'deleted' });
    await t.catalog.data.create(task.id, { image_quality: 70, images: images(5) });
    expect((await t.catalog.data.update(owner, task.id, { deleted_frames: [4, 1] }))?.deleted_frames).toEqual(
      [1, 4],
    );
    expect(await errorCodeOf(t.catalog.data.update(owner, task.id, { deleted_frames: [5] }))).toBe(
      'CATALOG_INVALID_VALUE',
    );
    expect(await errorCodeOf(t.catalog.data.update(owner, task.id, { deleted_frames: [1, 1] }))).toBe(
      'CATALOG_INVALID_VALUE',
    );
    expect(await t.catalog.data.get(other, task.id)).toBeNull();
  });
});

async function taskWithMedia(prefix: string, storage: DataStorage = 'local'): Promise<number> {
  const task = await t.catalog.tasks.create(owner, { name: prefix || 'root' });
  await t.catalog.data.create(task.id, { image_quality: 70, media_prefix: prefix, storage });
  return task.id;
}

describe('local media references', () => {
  it('lists the distinct prefixes of local media, and tells which folders they use', async () => {
    await taskWithMedia('imports/a_1/raw/');
    await taskWithMedia('imports/a_1/raw/');
    await taskWithMedia('tasks/9007/ab12/');
    await taskWithMedia('cloud/folder/', 'cloud_storage');
    await taskWithMedia('');
    const listed: string[] = [];
    for await (const prefix of t.catalog.data.localMediaPrefixes()) listed.push(prefix);
    // Other tests of this file add theirs: these three appear once each, the cloud one not at all.
    for (const prefix of ['', 'imports/a_1/raw/', 'tasks/9007/ab12/'])
      expect(listed.filter((p) => p === prefix)).toEqual([prefix]);
    expect(listed).not.toContain('cloud/folder/');

    const data = t.catalog.data;
    expect(await data.localMediaInUse('imports/a_1/raw/')).toBe(true);
    // A folder holding a task's media, and a folder inside it, are both in use.
    expect(await data.localMediaInUse('imports/a_1/')).toBe(true);
    expect(await data.localMediaInUse('tasks/9007/ab12/sub/')).toBe(true);
    expect(await data.localMediaInUse('tasks/9007/')).toBe(true);
    // `_` is a character, not a LIKE wildcard; cloud media and the empty prefix name no local folder.
    expect(await data.localMediaInUse('imports/a_2/raw/')).toBe(false);
    expect(await data.localMediaInUse('imports/aX1/')).toBe(false);
    expect(await data.localMediaInUse('cloud/folder/')).toBe(false);
    expect(await data.localMediaInUse('tasks/9008/')).toBe(false);
  });
});
