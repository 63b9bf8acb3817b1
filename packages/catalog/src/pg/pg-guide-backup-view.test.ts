import { isAppError } from '@cvat-backup/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCatalog, seedActor, type TestCatalog } from '../../test/catalog-fixture.js';
import type { Actor } from '../repositories/common.types.js';

let t: TestCatalog;
let owner: Actor;
let other: Actor;
beforeAll(async () => {
  t = await openTestCatalog({ maxAssetBytes: 1024 });
  [owner, other] = await Promise.all([seedActor(t.catalog), seedActor(t.catalog)]);
});
afterAll(async () => {
  await t.close();
});

const images = (n: number) =>
  Array.from({ length: n }, (_, frame) => ({ frame, path: `images/img_${frame}.jpg`, width: 8, height: 6 }));

describe('annotation guides', () => {
  it('saves markdown with assets, within the size limit, and touches the task', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'guided' });
    const guide = await t.catalog.guides.save({ taskId: task.id }, '# Rules');
    const asset = await t.catalog.guides.addAsset(guide.id, {
      filename: 'a.png',
      content_type: 'image/png',
      content: Buffer.from('png-bytes'),
    });
    expect(asset).toMatchObject({ filename: 'a.png', content_type: 'image/png', size: 9 });
    expect(asset.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const updated = await t.catalog.guides.save(
      { taskId: task.id },
      `# Rules\n![](/api/assets/${asset.uuid})`,
    );
    expect(updated.id).toBe(guide.id);
    expect(updated.assets).toEqual([{ ...asset, created_date: expect.any(Date) }]);
    expect((await t.catalog.tasks.get(owner, task.id))?.guide_id).toBe(guide.id);
    expect((await t.catalog.guides.readAsset(asset.uuid))?.content.toString()).toBe('png-bytes');
    const err = await t.catalog.guides
      .addAsset(guide.id, { filename: 'big.pdf', content: Buffer.alloc(1025) })
      .catch((e: Error) => e);
    expect(isAppError(err, 'CATALOG_ASSET_TOO_LARGE')).toBe(true);
    expect((err as Error).message).toContain('1025 bytes; the limit is 1024');
    expect(await t.catalog.guides.get(other, guide.id)).toBeNull();
    expect(await t.catalog.guides.delete(other, guide.id)).toBe(false);
    expect(await t.catalog.guides.deleteAsset(asset.uuid)).toBe(true);
    expect(await t.catalog.guides.readAsset(asset.uuid)).toBeNull();
    expect(await t.catalog.guides.delete(owner, guide.id)).toBe(true);
    expect(await t.catalog.guides.forOwner({ taskId: task.id })).toBeNull();
  });

  it('opens an asset as a stream for whoever sees its guide’s project, and for nobody else', async () => {
    const project = await t.catalog.projects.create(owner, { name: 'guided', labels: [{ name: 'a' }] });
    const guide = await t.catalog.guides.save({ projectId: project.id }, '# Rules');
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const asset = await t.catalog.guides.addAsset(guide.id, { filename: 'b.bin', content: bytes });
    const opened = await t.catalog.guides.openAsset(owner, asset.uuid);
    expect(opened?.guide_id).toBe(guide.id);
    expect(opened?.info).toMatchObject({
      filename: 'b.bin',
      content_type: 'application/octet-stream',
      size: 1000,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of opened!.content) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect(await t.catalog.guides.openAsset(other, asset.uuid)).toBeNull();
    expect(await t.catalog.guides.openAsset({ id: other.id, isAdmin: true }, asset.uuid)).not.toBeNull();
    await t.catalog.projects.delete(owner, project.id);
    expect(await t.catalog.guides.openAsset(owner, asset.uuid)).toBeNull();
  });

  it('refuses an asset for a guide that does not exist and a malformed asset id', async () => {
    const err = await t.catalog.guides
      .addAsset(424242, { filename: 'x', content: Buffer.from('x') })
      .catch((e: Error) => e);
    expect(isAppError(err, 'CATALOG_REFERENCE_NOT_FOUND')).toBe(true);
    const bad = await t.catalog.guides.readAsset('not-a-uuid').catch((e: Error) => e);
    expect(isAppError(bad, 'CATALOG_INVALID_VALUE')).toBe(true);
  });
});

describe('backup views', () => {
  it('gives a task backup everything task.json needs, jobs in CVAT order, files for custom segments', async () => {
    const project = await t.catalog.projects.create(owner, { name: 'p', labels: [{ name: 'car' }] });
    const task = await t.catalog.tasks.create(owner, {
      name: 'custom',
      project_id: project.id,
      segment_size: 0,
    });
    await t.catalog.data.create(task.id, { image_quality: 70, images: images(6), deleted_frames: [2] });
    const created = await t.catalog.jobs.createSegments(task.id, [
      { start_frame: 0, stop_frame: 2, jobs: [{ status: 'validation' }] },
      { start_frame: 3, stop_frame: 5 },
      { start_frame: 1, stop_frame: 4, frames: [1, 4], jobs: [{ type: 'ground_truth' }] },
    ]);
    await t.catalog.guides.save({ taskId: task.id }, 'guide');
    const view = await t.catalog.transaction((tx) => tx.backups.task(task.id), {
      isolation: 'repeatable read',
      readOnly: true,
    });
    expect(view?.task.name).toBe('custom');
    expect(view?.data).toMatchObject({ deleted_frames: [2], storage: 'local' });
    expect(view?.labels.map((l) => l.name)).toEqual(['car']);
    expect(view?.custom_segments).toBe(true);
    expect(view?.guide?.markdown).toBe('guide');
    expect(view?.jobs).toEqual([
      {
        id: created[0]!.id,
        type: 'annotation',
        status: 'validation',
        start_frame: 0,
        stop_frame: 2,
        frames: null,
        files: ['images/img_0.jpg', 'images/img_1.jpg', 'images/img_2.jpg'],
      },
      {
        id: created[1]!.id,
        type: 'annotation',
        status: 'annotation',
        start_frame: 3,
        stop_frame: 5,
        frames: null,
        files: ['images/img_3.jpg', 'images/img_4.jpg', 'images/img_5.jpg'],
      },
      {
        id: created[2]!.id,
        type: 'ground_truth',
        status: 'annotation',
        start_frame: 1,
        stop_frame: 4,
        frames: [1, 4],
        files: null,
      },
    ]);
    expect(await t.catalog.backups.task(424242)).toBeNull();
  });

  it('lists files of every job of a gt_pool task and none for a plain task', async () => {
    const task = await t.catalog.tasks.create(owner, {
      name: 'pool',
      segment_size: 3,
      labels: [{ name: 'a' }],
    });
    await t.catalog.data.create(task.id, {
      image_quality: 70,
      images: images(4),
      validation_layout: { mode: 'gt_pool', frames: [3], frames_per_job_count: 1, disabled_frames: [] },
    });
    await t.catalog.jobs.createSegments(task.id, [
      { start_frame: 0, stop_frame: 2 },
      { start_frame: 3, stop_frame: 3, frames: [3], jobs: [{ type: 'ground_truth' }] },
    ]);
    const view = await t.catalog.backups.task(task.id);
    expect(view?.jobs.map((j) => j.files)).toEqual([
      ['images/img_0.jpg', 'images/img_1.jpg', 'images/img_2.jpg'],
      ['images/img_3.jpg'],
    ]);
    const plain = await t.catalog.tasks.create(owner, {
      name: 'plain',
      segment_size: 3,
      labels: [{ name: 'a' }],
    });
    await t.catalog.data.create(plain.id, { image_quality: 70, images: images(3) });
    await t.catalog.jobs.createSegments(plain.id, [{ start_frame: 0, stop_frame: 2 }]);
    expect((await t.catalog.backups.task(plain.id))?.jobs.map((j) => j.files)).toEqual([null]);
  });

  it('gives a project backup its labels, guide and tasks by id with and without data', async () => {
    const project = await t.catalog.projects.create(owner, { name: 'pp', labels: [{ name: 'x' }] });
    const a = await t.catalog.tasks.create(owner, { name: 'a', project_id: project.id });
    const b = await t.catalog.tasks.create(owner, { name: 'b', project_id: project.id });
    await t.catalog.data.create(b.id, { image_quality: 70, images: images(1) });
    await t.catalog.guides.save({ projectId: project.id }, 'project guide');
    const view = await t.catalog.backups.project(project.id);
    expect(view?.project.name).toBe('pp');
    expect(view?.labels.map((l) => l.name)).toEqual(['x']);
    expect(view?.guide?.markdown).toBe('project guide');
    expect(view?.tasks).toEqual([
      { id: a.id, has_data: false },
      { id: b.id, has_data: true },
    ]);
    expect(await t.catalog.backups.project(424242)).toBeNull();
  });
});
