import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createImageTask,
  createRichTask,
  type Fixture,
  imageBytes,
  openFixture,
} from '../../test/export-fixture.js';
import { exportTaskToFile, restoreTaskFile, snapshot } from '../../test/restore-helpers.js';
import { loadTaskView } from '../export/task-exporter.js';
import { importMediaPrefix } from './archive-media.js';

describe('importTask (real PostgreSQL and local storage)', () => {
  let fx: Fixture;
  let root: string;
  let media: StorageDriver;
  let sourceId: number;
  let archivePath: string;

  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-import-'));
    media = new LocalDriver({ kind: 'local', root });
    sourceId = await createImageTask(fx, root, { name: 'round trip' });
    archivePath = await exportToFile(sourceId, 'task.zip');
  });

  afterAll(async () => {
    await media?.close();
    await fx?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const exportToFile = (taskId: number, name: string) => exportTaskToFile(fx, media, taskId, root, name);
  const restore = (importRequestId: string, projectId?: number, file = archivePath) =>
    restoreTaskFile(fx, media, file, importRequestId, projectId);

  it('restores a task equal to the original: labels, data, jobs, annotations, media bytes, manifest', async () => {
    const result = await restore(
      'action=import&target=task&id=00000000-0000-4000-8000-000000000001&subresource=backup',
    );
    expect(result.created).toBe(true);
    expect(result.id).not.toBe(sourceId);
    const [original, restored] = await Promise.all([
      snapshot(fx.catalog, sourceId, media),
      snapshot(fx.catalog, result.id, media),
    ]);
    expect(restored).toEqual(original);
    expect(restored.images[2]!.bytes).toBe(imageBytes(2).toString('base64'));
  });

  it('round-trips a task with a skeleton, attributes, tracks, a deleted frame and a ground-truth job', async () => {
    const richId = await createRichTask(fx, root);
    const file = await exportToFile(richId, 'rich.zip');
    const result = await restore(
      'action=import&target=task&id=00000000-0000-4000-8000-000000000009&subresource=backup',
      undefined,
      file,
    );
    const [original, restored] = await Promise.all([
      snapshot(fx.catalog, richId, media),
      snapshot(fx.catalog, result.id, media),
    ]);
    // The fixture adds its ground-truth job without the validation layout CVAT gives a task with
    // one; the restore, like CVAT's, sets it.
    const layout = { mode: 'gt', frames: [0, 2], frames_per_job_count: null, disabled_frames: [] };
    expect(original.data.validation_layout).toBeNull();
    expect(restored).toEqual({
      ...original,
      task: { ...original.task, validation_mode: 'gt' },
      data: { ...original.data, validation_layout: layout },
    });
    expect(restored.jobs.map((j) => [j.type, j.status, j.frames])).toEqual([
      ['annotation', 'completed', null],
      ['annotation', 'annotation', null],
      ['ground_truth', 'annotation', [0, 2]],
    ]);
    expect(restored.data.deleted_frames).toEqual([1]);
    expect(restored.labels[1].svg).toContain('data-label-name="nose"');
  });

  it('is idempotent: the same request id finds the task the first attempt made', async () => {
    const rq = 'action=import&target=task&id=00000000-0000-4000-8000-000000000002&subresource=backup';
    const first = await restore(rq);
    const second = await restore(rq);
    expect(second).toEqual({ id: first.id, created: false });
    const restoredTasks = (
      await fx.catalog.tasks.list(fx.actor, { page_size: 'all' } as never)
    ).results.filter((t) => t.name === 'round trip');
    expect(restoredTasks.map((t) => t.id).filter((id) => id === first.id)).toHaveLength(1);
  });

  it('puts media under a prefix derived from the request id, so a retry rewrites the same keys', () => {
    const a = importMediaPrefix('rq-1#');
    expect(a).toBe(importMediaPrefix('rq-1#'));
    expect(a).not.toBe(importMediaPrefix('rq-2#'));
    expect(a).toMatch(/^imports\/[0-9a-f]{24}\/raw\/$/);
  });

  it('restores into a project whose labels cover the backup, and refuses one whose do not', async () => {
    const good = await fx.catalog.projects.create(fx.actor, {
      name: 'has car',
      labels: [{ name: 'car', type: 'rectangle' }],
    });
    const result = await restore(
      'action=import&target=task&id=00000000-0000-4000-8000-000000000003&subresource=backup',
      good.id,
    );
    const task = await fx.catalog.tasks.get(fx.actor, result.id);
    expect(task?.project_id).toBe(good.id);
    const shapes = [];
    for (const job of (await loadTaskView(fx.catalog, result.id)).jobs)
      for await (const s of fx.catalog.annotations.read(job.id).shapes()) shapes.push(s);
    const projectCar = (await fx.catalog.labels.tree({ projectId: good.id })).find((l) => l.name === 'car')!;
    expect(shapes.map((s) => s.label_id)).toEqual([projectCar.id]);

    const bad = await fx.catalog.projects.create(fx.actor, { name: 'no car', labels: [{ name: 'bike' }] });
    await expect(
      restore('action=import&target=task&id=00000000-0000-4000-8000-000000000004&subresource=backup', bad.id),
    ).rejects.toMatchObject({
      code: 'BACKUP_LABELS_MISMATCH',
      message: expect.stringContaining('the project has no label "car"'),
    });
  });
});
