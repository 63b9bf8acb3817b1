import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { AnnotationEvent, TaskBackup } from '@cvat-backup/format';
import { FileSource, openBackup } from '@cvat-backup/format';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRichTask, type Fixture, imageBytes, openFixture } from '../../test/export-fixture.js';
import { exportTask, loadTaskView } from './task-exporter.js';

async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

describe('exportTask (real PostgreSQL and local storage)', () => {
  let fx: Fixture;
  let root: string;
  let media: StorageDriver;
  let localTaskId: number;
  let cloudTaskId: number;

  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-export-'));
    media = new LocalDriver({ kind: 'local', root });
    const { catalog, actor } = fx;

    localTaskId = await createRichTask(fx, root);

    const cloud = await catalog.tasks.create(actor, { name: 'in the cloud', labels: [{ name: 'car' }] });
    cloudTaskId = cloud.id;
    await catalog.data.create(cloud.id, {
      image_quality: 50,
      storage: 'cloud_storage',
      cloud_storage_id: null,
      media_prefix: '',
      images: [{ frame: 0, path: 'images/a.jpg', width: 1, height: 1 }],
      manifest: [
        '{"version":"1.1"}',
        '{"type":"images"}',
        '{"name":"images/a","extension":".jpg","width":1,"height":1}',
      ],
    });
    await catalog.jobs.createSegments(cloud.id, [{ start_frame: 0, stop_frame: 0 }]);
  });

  afterAll(async () => {
    await media?.close();
    await fx?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function exportToFile(taskId: number, lightweight: boolean) {
    const file = path.join(root, `out-${taskId}-${lightweight}-${Date.now()}.zip`);
    const output = createWriteStream(file);
    const done = finished(output);
    const result = await exportTask(
      { catalog: fx.catalog, localMedia: media, cloudStorage: async () => media },
      await loadTaskView(fx.catalog, taskId),
      output,
      { lightweight },
    );
    await done;
    const backup = (await openBackup(await FileSource.open(file), { expect: 'task' })) as TaskBackup;
    return { result, backup };
  }

  it('writes task.json, every media file and the annotations of every job', async () => {
    const { result, backup } = await exportToFile(localTaskId, false);
    try {
      expect(result.mode).toBe('local');
      const { meta } = backup.task;
      expect(meta.name).toBe('Cars ünïcode');
      expect(meta.subset).toBe('train');
      expect(meta.labels.map((l) => l.name)).toEqual(['car', 'person']);
      const svg = (meta.labels[1] as { svg?: string }).svg;
      expect(svg).toContain('data-label-name="nose"');
      expect(svg).not.toContain('data-label-id');
      expect(meta.data).toMatchObject({
        image_quality: 70,
        chunk_size: 72,
        start_frame: 0,
        stop_frame: 2,
        deleted_frames: [1],
        storage: 'local',
      });
      expect(meta.jobs).toEqual([
        { status: 'completed', type: 'annotation', start_frame: 0, stop_frame: 1 },
        { status: 'annotation', type: 'annotation', start_frame: 2, stop_frame: 2 },
        { status: 'annotation', type: 'ground_truth', start_frame: 0, stop_frame: 2, frames: [0, 2] },
      ]);

      const files = Object.fromEntries(
        await Promise.all(
          backup.task.media.map(async (f) => [f.path, await bytesOf(await f.open())] as const),
        ),
      );
      expect(Object.keys(files).sort()).toEqual([
        'images/img_0.jpg',
        'images/img_1.jpg',
        'images/img_2.jpg',
        'manifest.jsonl',
      ]);
      for (const frame of [0, 1, 2]) expect(files[`images/img_${frame}.jpg`]).toEqual(imageBytes(frame));
      expect(files['manifest.jsonl']!.toString().split('\n')).toHaveLength(6);

      const events: AnnotationEvent[] = [];
      for await (const event of backup.task.annotations()) events.push(event);
      const objects = events.filter((e) => e.kind === 'tag' || e.kind === 'shape' || e.kind === 'track');
      expect(objects.map((e) => [e.job, e.kind, e.value.label])).toEqual([
        [0, 'tag', 'car'],
        [0, 'shape', 'car'],
        [0, 'shape', 'person'],
        [0, 'track', 'car'],
      ]);
      const skeleton = objects[2]!.value as { elements?: Array<{ label: string; points: number[] }> };
      expect(skeleton.elements).toEqual([expect.objectContaining({ label: 'nose', points: [5, 6] })]);
      expect(objects[0]!.value).toMatchObject({ attributes: [{ name: 'model', value: 'b' }] });
      expect(events.filter((e) => e.kind === 'job-end')).toHaveLength(3);
      expect(await backup.verify()).toMatchObject({ checksums: true, entries: backup.task.media.length + 3 });
    } finally {
      await backup.close();
    }
  });

  it('ignores the lightweight switch for local data (a full backup)', async () => {
    const { result, backup } = await exportToFile(localTaskId, true);
    expect(result.mode).toBe('local');
    expect(backup.task.media).toHaveLength(4);
    await backup.close();
  });

  it('writes only the manifest for a lightweight backup of cloud data, marked cloud_storage', async () => {
    const { result, backup } = await exportToFile(cloudTaskId, true);
    expect(result.mode).toBe('cloud-lightweight');
    expect(backup.task.media.map((f) => f.path)).toEqual(['manifest.jsonl']);
    expect(backup.task.meta.data.storage).toBe('cloud_storage');
    await backup.close();
  });

  it('refuses a full backup of cloud data with no cloud storage attached, saying what to do', async () => {
    const output = createWriteStream(path.join(root, 'refused.zip'));
    await expect(
      exportTask(
        { catalog: fx.catalog, localMedia: media, cloudStorage: async () => media },
        await loadTaskView(fx.catalog, cloudTaskId),
        output,
        { lightweight: false },
      ),
    ).rejects.toMatchObject({
      code: 'BACKUP_CLOUD_STORAGE_DETACHED',
      message: expect.stringContaining('lightweight'),
    });
    output.destroy();
  });

  it('refuses a task without data and a missing task with coded errors', async () => {
    const empty = await fx.catalog.tasks.create(fx.actor, { name: 'empty', labels: [{ name: 'x' }] });
    await expect(loadTaskView(fx.catalog, empty.id)).rejects.toMatchObject({
      code: 'BACKUP_TASK_WITHOUT_DATA',
      status: 400,
    });
    await expect(loadTaskView(fx.catalog, 999_999)).rejects.toMatchObject({
      code: 'BACKUP_RESOURCE_NOT_FOUND',
      status: 404,
    });
  });
});
