import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { FileSource, openBackup, type ProjectBackup } from '@cvat-backup/format';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageTask, type Fixture, openFixture } from '../../test/export-fixture.js';
import { exportProject, loadProjectView } from './project-exporter.js';

describe('exportProject (real PostgreSQL and local storage)', () => {
  let fx: Fixture;
  let root: string;
  let media: StorageDriver;
  let projectId: number;
  const taskIds: number[] = [];

  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-pexport-'));
    media = new LocalDriver({ kind: 'local', root });
    const project = await fx.catalog.projects.create(fx.actor, {
      name: 'street scenes',
      labels: [{ name: 'car', type: 'rectangle' }, { name: 'bike' }],
    });
    projectId = project.id;
    taskIds.push(await createImageTask(fx, root, { name: 'first', projectId }));
    // A task without data still takes its index, as in CVAT: the next one is task_2.
    taskIds.push(
      (await fx.catalog.tasks.create(fx.actor, { name: 'no data yet', project_id: projectId })).id,
    );
    taskIds.push(await createImageTask(fx, root, { name: 'third', projectId }));
  });

  afterAll(async () => {
    await media?.close();
    await fx?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes project.json and task_<n>/ subtrees numbered by task id, gaps kept', async () => {
    const file = path.join(root, 'project.zip');
    const output = createWriteStream(file);
    const done = finished(output);
    const result = await exportProject(
      { catalog: fx.catalog, localMedia: media, cloudStorage: async () => media },
      await loadProjectView(fx.catalog, projectId),
      output,
      { lightweight: true },
    );
    await done;
    expect([...result.modes.entries()]).toEqual([
      [taskIds[0], 'local'],
      [taskIds[2], 'local'],
    ]);
    const backup = (await openBackup(await FileSource.open(file), { expect: 'project' })) as ProjectBackup;
    try {
      expect(backup.project.name).toBe('street scenes');
      expect(backup.project.labels.map((l) => l.name)).toEqual(['car', 'bike']);
      expect(backup.tasks.map((t) => [t.index, t.meta.name])).toEqual([
        [0, 'first'],
        [2, 'third'],
      ]);
      expect(backup.tasks[1]!.media.map((m) => m.entry).sort()).toEqual([
        'task_2/data/images/img_0.jpg',
        'task_2/data/images/img_1.jpg',
        'task_2/data/images/img_2.jpg',
        'task_2/data/manifest.jsonl',
      ]);
      const summary = await backup.tasks[0]!.validateAnnotations();
      expect(summary).toMatchObject({ shapes: 1 });
    } finally {
      await backup.close();
    }
  });

  it('refuses a missing project with a coded error', async () => {
    await expect(loadProjectView(fx.catalog, 987_654)).rejects.toMatchObject({
      code: 'BACKUP_RESOURCE_NOT_FOUND',
    });
  });
});
