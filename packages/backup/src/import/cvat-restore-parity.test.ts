/**
 * What a restore makes of backups CVAT writes, as CVAT's own restore (TaskImporter) makes it:
 * honeypot tasks frame by frame, the validation mode of a task with a ground-truth job, the
 * dimension of a point-cloud task, and guide assets by their base names and with the content type
 * their extension implies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BufferSource, openBackup } from '@cvat-backup/format';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, openFixture } from '../../test/export-fixture.js';
import { snapshot } from '../../test/restore-helpers.js';
import { honeypot, type Json, pointCloudTaskArchive, taskArchive } from './restore-test-archive.js';
import { importTask } from './task-importer.js';

describe('a restore takes a CVAT backup as CVAT does (real PostgreSQL and local storage)', () => {
  let fx: Fixture;
  let root: string;
  let media: StorageDriver;
  let n = 0;

  beforeAll(async () => {
    [fx, root] = await Promise.all([openFixture(), mkdtemp(path.join(tmpdir(), 'cvb-parity-'))]);
    media = new LocalDriver({ kind: 'local', root });
  });

  afterAll(async () => {
    await Promise.all([media?.close(), fx?.close()]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function restore(bytes: Buffer): Promise<number> {
    const archive = await openBackup(new BufferSource(bytes), { expect: 'task' });
    try {
      if (archive.kind !== 'task') throw new Error('expected a task backup');
      const deps = { catalog: fx.catalog, localMedia: media };
      const result = await importTask(deps, archive.task, {
        userId: fx.actor.id,
        importRequestId: `parity-${++n}`,
      });
      return result.id;
    } finally {
      await archive.close();
    }
  }

  it('restores a honeypot task frame by frame from its manifest, placeholders included', async () => {
    const id = await restore(await taskArchive(honeypot()));
    const restored = await snapshot(fx.catalog, id, media);
    expect(restored.images.map((i) => [i.frame, i.path])).toEqual([
      [0, 'images/f0.jpg'],
      [1, 'images/f2.jpg'],
      [2, 'images/f1.jpg'],
      [3, 'images/f2.jpg'],
      [4, 'images/f2.jpg'],
    ]);
    expect(restored.data.validation_layout).toEqual({
      mode: 'gt_pool',
      frames: [4],
      frames_per_job_count: 1,
      disabled_frames: [],
    });
    expect(restored.jobs.map((j) => [j.type, j.start_frame, j.stop_frame, j.frames])).toEqual([
      ['annotation', 0, 1, null],
      ['annotation', 2, 3, null],
      ['ground_truth', 4, 4, [4]],
    ]);
    expect(restored.annotations.map((a) => a.shapes.map((s) => (s as { frame: number }).frame))).toEqual([
      [1],
      [2],
      [4],
    ]);
  });

  it('gives a task with an ordinary ground-truth job the validation mode gt over its frames', async () => {
    const id = await restore(await taskArchive());
    const task = await fx.catalog.tasks.get(fx.actor, id);
    expect(task?.validation_mode).toBe('gt');
    const restored = await snapshot(fx.catalog, id, media);
    expect(restored.data.validation_layout).toEqual({
      mode: 'gt',
      frames: [0, 2],
      frames_per_job_count: null,
      disabled_frames: [],
    });
  });

  it('leaves the validation mode unset without a ground-truth job', async () => {
    const id = await restore(
      await taskArchive((t, a) => {
        (t['jobs'] as Json[]).pop();
        a.pop();
      }),
    );
    expect((await fx.catalog.tasks.get(fx.actor, id))?.validation_mode).toBeNull();
  });

  it('makes a task of point clouds 3D, and one of images 2D', async () => {
    const cloud = await restore(await pointCloudTaskArchive());
    expect((await fx.catalog.tasks.get(fx.actor, cloud))?.dimension).toBe('3d');
    const images = await restore(await taskArchive());
    expect((await fx.catalog.tasks.get(fx.actor, images))?.dimension).toBe('2d');
  });

  it('stores a guide asset under its base name, as CVAT does, and links the guide to it', async () => {
    const id = await restore(
      await taskArchive(undefined, [
        ['annotation_guide.md', 'see ![x](assets/figures/x.png)'],
        ['assets/figures/x.png', 'png bytes'],
      ]),
    );
    const guide = await fx.catalog.guides.forOwner({ taskId: id });
    expect(guide?.assets.map((a) => a.filename)).toEqual(['x.png']);
    expect(guide?.markdown).toBe(`see ![x](/api/assets/${guide?.assets[0]?.uuid})`);
  });

  it('stores each guide asset with the content type its extension implies (mimetypes.guess_type)', async () => {
    const names = ['a.png', 'b.JPG', 'c.jpeg', 'd.jpe', 'e.gif', 'f.webp', 'Scan.PDF'];
    const id = await restore(
      await taskArchive(undefined, [
        ['annotation_guide.md', names.map((n) => `![${n}](assets/${n})`).join('\n')],
        ...names.map((n): [string, string] => [`assets/${n}`, `${n} bytes`]),
      ]),
    );
    const guide = await fx.catalog.guides.forOwner({ taskId: id });
    const stored = new Map(guide?.assets.map((a) => [a.filename, a.content_type]));
    expect(Object.fromEntries(names.map((n) => [n, stored.get(n)]))).toEqual({
      'a.png': 'image/png',
      'b.JPG': 'image/jpeg',
      'c.jpeg': 'image/jpeg',
      'd.jpe': 'image/jpeg',
      'e.gif': 'image/gif',
      'f.webp': 'image/webp',
      'Scan.PDF': 'application/pdf',
    });
    // What a download of the asset is served with: the stored type, with the bytes.
    const pdf = await fx.catalog.guides.readAsset(guide!.assets.find((a) => a.filename === 'Scan.PDF')!.uuid);
    expect(pdf?.info.content_type).toBe('application/pdf');
    expect(pdf?.content.toString()).toBe('Scan.PDF bytes');
  });
});
