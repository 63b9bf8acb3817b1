/**
 * Tasks created over HTTP with start_frame 1, stop_frame 4 and frame_filter step=2 over six images
 * (CVAT's REST backup test), backed up and restored through a real worker: the archive's manifest
 * names exactly the files it holds, and the restored task shows the same two frames with their
 * annotations. Local data keeps its range and every upload; a full backup of cloud data keeps only
 * the task's frames and drops the range.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { FileSource, openBackup, type TaskBackup } from '@cvat-backup/format';
import { createS3Bucket, s3Client, type TestBucket, testServices } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../../../apps/api/test/test-images.js';
import {
  type BackupApi,
  fileForm,
  type HttpUser,
  openBackupApi,
  settled,
} from '../backup-http/backup-api.js';
import { json, registerS3Storage } from '../backup-http/task-backup.js';

/** Six images of distinct sizes; the task's frames are image 1 and image 3. */
const SIX = [0, 1, 2, 3, 4, 5].map((i) => png(3 + i, 2 + (i % 2)));
const RANGE = { start_frame: 1, stop_frame: 4, frame_filter: 'step=2' };
const POINTS = [
  [1, 1, 2, 2],
  [3, 3, 4, 4],
];

describe('backups of tasks with start_frame, stop_frame and frame_filter (HTTP, real worker)', () => {
  let api: BackupApi;
  let alice: HttpUser;
  let bucket: TestBucket;
  let storage: number;

  beforeAll(async () => {
    api = await openBackupApi();
    alice = await api.user();
    bucket = await createS3Bucket();
    const client = s3Client(testServices().s3);
    for (const [i, img] of SIX.entries())
      await client.send(new PutObjectCommand({ Bucket: bucket.name, Key: `imgs/image_${i}.png`, Body: img }));
    client.destroy();
    storage = await registerS3Storage(alice, bucket.name);
    await api.worker.start();
  });
  afterAll(async () => {
    await api?.close();
    await bucket?.remove();
  });

  async function createTask(name: string, data: RequestInit['body'] | Record<string, unknown>) {
    const task = await json(
      await alice.call('/api/tasks', { method: 'POST', json: { name, labels: [{ name: 'car' }] } }),
      201,
    );
    const init = data instanceof FormData ? { body: data } : { json: data };
    await json(await alice.call(`/api/tasks/${task.id}/data`, { method: 'POST', ...init }), 202);
    const labels = await json(await alice.call(`/api/labels?task_id=${task.id}`), 200);
    const label = (labels.results as Array<{ id: number }>)[0]!;
    const shapes = POINTS.map((points, frame) => ({
      label_id: label.id,
      type: 'rectangle',
      frame,
      points,
      attributes: [],
    }));
    await json(
      await alice.call(`/api/tasks/${task.id}/annotations`, {
        method: 'PUT',
        json: { version: 0, tags: [], shapes, tracks: [] },
      }),
      200,
    );
    return task.id as number;
  }

  async function backUp(taskId: number) {
    const { rq_id } = await json(
      await alice.call(`/api/tasks/${taskId}/backup/export?lightweight=false`, { method: 'POST' }),
      202,
    );
    const request = await settled(alice, rq_id as string);
    expect(request.status, String(request.message)).toBe('finished');
    const body = Buffer.from(await (await alice.call(request.result_url as string)).arrayBuffer());
    const file = path.join(api.dataRoot, `range-${taskId}.zip`);
    await writeFile(file, body);
    const backup = (await openBackup(await FileSource.open(file), { expect: 'task' })) as TaskBackup;
    try {
      const manifest = backup.task.media.find((f) => f.path === 'manifest.jsonl')!;
      const chunks: Buffer[] = [];
      for await (const c of await manifest.open()) chunks.push(Buffer.from(c));
      const names = chunks
        .join('')
        .split('\n')
        .slice(2, -1)
        .map((l) => {
          const item = JSON.parse(l) as { name: string; extension: string };
          return `${item.name}${item.extension}`;
        });
      return { body, files: backup.task.media.map((f) => f.path).sort(), names, data: backup.task.meta.data };
    } finally {
      await backup.close();
    }
  }

  /** Restores the archive; answers the restored task's range, frames (bytes) and rectangles. */
  async function restore(body: Buffer) {
    const started = await json(
      await alice.call('/api/tasks/backup', { method: 'POST', body: fileForm('task_file', body) }),
      202,
    );
    const request = await settled(alice, started.rq_id as string);
    expect(request.status, String(request.message)).toBe('finished');
    const id = request.result_id as number;
    const meta = await json(await alice.call(`/api/tasks/${id}/data/meta`), 200);
    const frames: Buffer[] = [];
    for (let frame = 0; frame < (meta.size as number); frame++) {
      const res = await alice.call(`/api/tasks/${id}/data?type=frame&number=${frame}&quality=original`);
      expect(res.status).toBe(200);
      frames.push(Buffer.from(await res.arrayBuffer()));
    }
    const annotations = await json(await alice.call(`/api/tasks/${id}/annotations`), 200);
    const shapes = (annotations.shapes as Array<{ frame: number; points: number[] }>)
      .map((s) => [s.frame, s.points])
      .sort();
    return { meta, frames, shapes };
  }

  const drawn = POINTS.map((points, frame) => [frame, points]);

  it('local data: every upload and the whole manifest, range kept; the restore shows images 1 and 3 with their rectangles', async () => {
    const form = new FormData();
    form.set('image_quality', '70');
    for (const [key, value] of Object.entries(RANGE)) form.set(key, String(value));
    for (const [i, img] of SIX.entries()) form.set(`client_files[${i}]`, new Blob([img]), `image_${i}.png`);
    const task = await createTask('local range', form);

    // The range as the task keeps it: stop_frame 4 asked, 3 stored (the last frame kept, as CVAT does).
    const original = await json(await alice.call(`/api/tasks/${task}/data/meta`), 200);
    const range = { start_frame: 1, stop_frame: 3, frame_filter: 'step=2' };
    expect(original).toMatchObject({ size: 2, ...range });

    const archive = await backUp(task);
    const uploads = SIX.map((_, i) => `image_${i}.png`);
    expect(archive.files).toEqual(['manifest.jsonl', ...uploads].sort());
    expect(archive.names).toEqual(uploads);
    expect(archive.data).toMatchObject(range);

    const restored = await restore(archive.body);
    expect(restored.meta).toMatchObject({ size: 2, ...range });
    expect(restored.frames).toEqual([SIX[1], SIX[3]]);
    expect(restored.shapes).toEqual(drawn);
  });

  it('cloud data, full backup: only the two frames, a manifest of them, no range; the restore shows images 1 and 3 with their rectangles', async () => {
    const task = await createTask('cloud range', {
      image_quality: 70,
      ...RANGE,
      server_files: SIX.map((_, i) => `imgs/image_${i}.png`),
      cloud_storage_id: storage,
    });

    const archive = await backUp(task);
    expect(archive.files).toEqual(['imgs/image_1.png', 'imgs/image_3.png', 'manifest.jsonl']);
    expect(archive.names).toEqual(['imgs/image_1.png', 'imgs/image_3.png']);
    expect(archive.data.storage).toBe('local');
    for (const key of Object.keys(RANGE)) expect(archive.data).not.toHaveProperty(key);

    const restored = await restore(archive.body);
    expect(restored.meta).toMatchObject({ size: 2, start_frame: 0, stop_frame: 1 });
    expect(restored.meta.frame_filter ?? '').toBe('');
    expect(restored.frames).toEqual([SIX[1], SIX[3]]);
    expect(restored.shapes).toEqual(drawn);
  });
});
