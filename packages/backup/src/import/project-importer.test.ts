import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageTask, type Fixture, openFixture } from '../../test/export-fixture.js';
import { exportProjectToFile, restoreProjectFile } from '../../test/restore-helpers.js';

describe('importProject (real PostgreSQL and local storage)', () => {
  let fx: Fixture;
  let root: string;
  let media: StorageDriver;
  let file: string;

  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-pimport-'));
    media = new LocalDriver({ kind: 'local', root });
    const project = await fx.catalog.projects.create(fx.actor, {
      name: 'traffic',
      bug_tracker: 'https://bugs/1',
      labels: [{ name: 'car', type: 'rectangle' }],
    });
    await createImageTask(fx, root, { name: 'morning', projectId: project.id });
    await fx.catalog.tasks.create(fx.actor, { name: 'empty', project_id: project.id });
    await createImageTask(fx, root, { name: 'evening', projectId: project.id });
    file = await exportProjectToFile(fx, media, project.id, root, 'project.zip');
  });

  afterAll(async () => {
    await media?.close();
    await fx?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const restore = (importRequestId: string) => restoreProjectFile(fx, media, file, importRequestId);

  it('creates the project with its labels and every task with data, jobs and annotations', async () => {
    const result = await restore(
      'action=import&target=project&id=00000000-0000-4000-8000-0000000000a1&subresource=backup',
    );
    expect(result.created).toBe(true);
    const project = await fx.catalog.projects.get(fx.actor, result.id);
    expect(project).toMatchObject({ name: 'traffic', bug_tracker: 'https://bugs/1' });
    const tasks = (
      await fx.catalog.tasks.list(fx.actor, { filters: { project_id: String(result.id) } } as never)
    ).results;
    expect(tasks.map((t) => t.name).sort()).toEqual(['evening', 'morning']);
    const projectCar = (await fx.catalog.labels.tree({ projectId: result.id })).find(
      (l) => l.name === 'car',
    )!;
    for (const task of tasks) {
      expect(task.size).toBe(3);
      const jobs = await fx.catalog.jobs.forTask(task.id);
      expect(jobs).toHaveLength(2);
      const shapes = [];
      for await (const s of fx.catalog.annotations.read(jobs[1]!.id).shapes()) shapes.push(s);
      expect(shapes.map((s) => [s.label_id, s.frame])).toEqual([[projectCar.id, 2]]);
    }
  });

  it('gives a retried request the project the first attempt made', async () => {
    const rq = 'action=import&target=project&id=00000000-0000-4000-8000-0000000000a2&subresource=backup';
    const first = await restore(rq);
    expect(await restore(rq)).toEqual({ id: first.id, created: false });
  });
});
