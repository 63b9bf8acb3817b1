/**
 * Tasks whose frames are only part of their media manifest (start 1, stop 4, step=2 over six
 * uploads, CVAT's REST backup test): the archive must name in its manifest exactly the files it
 * holds, and a restore must put every annotation back on the image it was drawn on.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { FileSource, openBackup, type TaskBackup } from '@cvat-backup/format';
import { createDriver, LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { createS3Bucket, type TestBucket, testServices } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, openFixture } from '../../test/export-fixture.js';
import {
  createHoneypotTask,
  createRangeTask,
  fileBytes,
  HONEYPOT_FILES,
  HONEYPOT_FRAMES,
  HONEYPOT_RELATED,
  RANGE_FILES,
  RELATED,
  RELATED_FILES,
  rangeManifest,
  STORED_RANGE,
  TASK_FILES,
} from '../../test/range-task-fixture.js';
import { restoreTaskFile, snapshot } from '../../test/restore-helpers.js';
import { exportTask, loadTaskView } from './task-exporter.js';

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

/** task.json's `data` as CVAT's Python reads it (key presence matters: CVAT drops the range keys). */
function rawTaskData(file: string): Record<string, unknown> {
  const out = execFileSync('python3', [
    '-c',
    'import json,sys,zipfile; print(json.dumps(json.loads(zipfile.ZipFile(sys.argv[1]).read("task.json"))["data"]))',
    file,
  ]);
  return JSON.parse(out.toString());
}

describe('exportTask of a task with start_frame, stop_frame and frame_filter (PostgreSQL, s3rver)', () => {
  let fx: Fixture;
  let root: string;
  let local: StorageDriver;
  let bucket: TestBucket;
  let cloud: StorageDriver;
  let cloudStorageId: number;
  let requests = 0;

  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-range-'));
    local = new LocalDriver({ kind: 'local', root });
    const { s3 } = testServices();
    bucket = await createS3Bucket();
    cloud = createDriver({
      kind: 's3',
      bucket: bucket.name,
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const storage = await fx.catalog.cloudStorages.create(fx.actor, {
      provider_type: 'AWS_S3_BUCKET',
      resource: bucket.name,
      display_name: 'frames',
      credentials_type: 'ANONYMOUS_ACCESS',
    });
    cloudStorageId = storage.id;
  });

  afterAll(async () => {
    await cloud?.close();
    await bucket?.remove();
    await local?.close();
    await fx?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function exportToFile(taskId: number, lightweight: boolean) {
    const file = path.join(root, `task-${taskId}-${lightweight ? 'light' : 'full'}.zip`);
    const output = createWriteStream(file);
    const done = finished(output);
    await exportTask(
      {
        catalog: fx.catalog,
        localMedia: local,
        cloudStorage: async (id) => {
          expect(id).toBe(cloudStorageId);
          return cloud;
        },
      },
      await loadTaskView(fx.catalog, taskId),
      output,
      { lightweight },
    );
    await done;
    const backup = (await openBackup(await FileSource.open(file), { expect: 'task' })) as TaskBackup;
    try {
      const files = backup.task.media.map((f) => f.path).sort();
      const manifest = await text(await backup.task.media.find((f) => f.path === 'manifest.jsonl')!.open());
      const bytes = new Map<string, string>();
      for (const f of backup.task.media) bytes.set(f.path, await text(await f.open()));
      return { file, files, manifest: manifest.split('\n').slice(0, -1), bytes, data: rawTaskData(file) };
    } finally {
      await backup.close();
    }
  }

  const restore = async (file: string) => {
    const { id } = await restoreTaskFile(
      fx,
      local,
      file,
      `action=import&target=task&id=00000000-0000-4000-8000-${String(++requests).padStart(12, '0')}&subresource=backup`,
    );
    return { id, snap: await snapshot(fx.catalog, id, local) };
  };

  /** frame → [path, bytes, rectangle points drawn there]: what must survive a round trip. */
  const framesOf = (snap: Awaited<ReturnType<typeof snapshot>>) =>
    snap.images.map((image) => [
      image.frame,
      image.path,
      Buffer.from(image.bytes, 'base64').toString('latin1'),
      (snap.annotations[0]!.shapes as Array<{ frame: number; points: number[] }>)
        .filter((s) => s.frame === image.frame)
        .map((s) => s.points),
    ]);

  const expectedFrames = TASK_FILES.map((file, frame) => [
    frame,
    file,
    fileBytes(file).toString('latin1'),
    [frame === 0 ? [1, 1, 2, 2] : [3, 3, 4, 4]],
  ]);

  it('local data: holds every upload the manifest names (and their related images), keeps the range; a restore maps the same frames to the same files', async () => {
    const taskId = await createRangeTask(fx, local, {
      name: 'local range',
      prefix: 'tasks/range-local/raw/',
    });
    const archive = await exportToFile(taskId, false);

    expect(archive.files).toEqual(['manifest.jsonl', ...RANGE_FILES, ...RELATED_FILES].sort());
    expect(archive.manifest).toEqual(rangeManifest());
    for (const f of [...RANGE_FILES, ...RELATED_FILES])
      expect(archive.bytes.get(f)).toBe(fileBytes(f).toString('utf8'));
    expect(archive.data).toMatchObject({ ...STORED_RANGE, storage: 'local' });

    const { id, snap: restored } = await restore(archive.file);
    expect(restored.data).toMatchObject({ ...STORED_RANGE, storage: 'local' });
    expect(framesOf(restored)).toEqual(expectedFrames);
    expect(restored.images.map((i) => i.related_files)).toEqual(TASK_FILES.map((f) => RELATED[f]));

    // Once more: the restored task (the shape a CVAT archive with a range restores to) exports alike.
    const again = await exportToFile(id, false);
    expect(again.files).toEqual(archive.files);
    expect(again.manifest).toEqual(archive.manifest);
    expect(framesOf((await restore(again.file)).snap)).toEqual(expectedFrames);
  });

  it('cloud data, heavyweight: only the task frames and their related images, a manifest filtered to them in frame order, range dropped, storage local; a restore keeps every annotation on its image', async () => {
    const taskId = await createRangeTask(fx, cloud, {
      name: 'cloud range',
      prefix: 'bucket/data/',
      cloudStorageId,
    });
    const archive = await exportToFile(taskId, false);

    expect(archive.files).toEqual(
      ['manifest.jsonl', ...TASK_FILES, ...TASK_FILES.flatMap((f) => RELATED[f]!)].sort(),
    );
    const stored = rangeManifest();
    expect(archive.manifest).toEqual([stored[0], stored[1], stored[2 + 1], stored[2 + 3]]);
    expect(archive.data.storage).toBe('local');
    for (const key of ['start_frame', 'stop_frame', 'frame_filter'])
      expect(archive.data).not.toHaveProperty(key);

    const { snap: restored } = await restore(archive.file);
    expect(restored.data).toMatchObject({
      start_frame: 0,
      stop_frame: 1,
      frame_filter: '',
      storage: 'local',
    });
    expect(framesOf(restored)).toEqual(expectedFrames);
  });

  it('cloud data, lightweight: only the whole stored manifest, range kept, storage cloud_storage', async () => {
    const taskId = await createRangeTask(fx, cloud, {
      name: 'cloud light',
      prefix: 'bucket/light/',
      cloudStorageId,
    });
    const archive = await exportToFile(taskId, true);
    expect(archive.files).toEqual(['manifest.jsonl']);
    expect(archive.manifest).toEqual(rangeManifest());
    expect(archive.data).toMatchObject({ ...STORED_RANGE, storage: 'cloud_storage' });
  });

  it('refuses a heavyweight cloud export whose image rows are not the manifest lines of its range, naming the frame', async () => {
    const task = await fx.catalog.tasks.create(fx.actor, { name: 'skewed', labels: [{ name: 'car' }] });
    await fx.catalog.data.create(task.id, {
      image_quality: 70,
      ...STORED_RANGE,
      storage: 'cloud_storage',
      cloud_storage_id: cloudStorageId,
      media_prefix: 'bucket/data/',
      // Frame 1 is image_3 by the range, but the rows say image_2.
      images: ['images/image_1.jpg', 'images/image_2.jpg'].map((path, frame) => ({
        frame,
        path,
        width: 1,
        height: 1,
      })),
      manifest: rangeManifest(),
    });
    await fx.catalog.jobs.createSegments(task.id, [{ start_frame: 0, stop_frame: 1 }]);
    await expect(exportToFile(task.id, false)).rejects.toMatchObject({
      code: 'BACKUP_TASK_MEDIA_INCONSISTENT',
      message: expect.stringContaining(
        'frame 1 is images/image_2.jpg in the catalog, but its media manifest names images/image_3.jpg',
      ),
    });
  });

  const honeypotFiles = [
    'manifest.jsonl',
    ...HONEYPOT_FILES,
    ...Object.values(HONEYPOT_RELATED).flat(),
  ].sort();

  for (const where of ['local', 'cloud'] as const)
    it(`honeypots (${where} data): each file once though placeholder frames repeat it, frames_per_job_count a number CVAT accepts`, async () => {
      const taskId = await createHoneypotTask(fx, where === 'local' ? local : cloud, {
        name: `honeypots ${where}`,
        prefix: `honeypots/${where}/`,
        ...(where === 'cloud' ? { cloudStorageId } : {}),
      });
      const archive = await exportToFile(taskId, false);
      expect(archive.files).toEqual(honeypotFiles);
      // One line per frame, placeholders included: nothing to filter without a range.
      expect(archive.manifest).toHaveLength(2 + 6);
      // CVAT's ValidationParamsSerializer refuses null ("This field may not be null") and a missing
      // key ("One of the fields ... required"): the honeypots per annotation job, here one each.
      expect(archive.data.validation_layout).toEqual({
        mode: 'gt_pool',
        frames_per_job_count: 1,
        frames: ['images/c.jpg', 'images/d.jpg'],
      });
      const { snap } = await restore(archive.file);
      expect(snap.images.map((i) => i.path)).toEqual(HONEYPOT_FRAMES);
      expect(snap.data.validation_layout).toMatchObject({ frames: [4, 5], frames_per_job_count: 1 });
    });
});
