import { isAppError } from '@cvat-backup/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodeOf,
  openTestCatalog,
  seedActor,
  seedOwnerOtherAdmin,
  type TestCatalog,
} from '../../test/catalog-fixture.js';
import type { Actor } from '../repositories/common.types.js';

let t: TestCatalog;
let owner: Actor;
let other: Actor;
let admin: Actor;
beforeAll(async () => {
  t = await openTestCatalog();
  [owner, other, admin] = await seedOwnerOtherAdmin(t.catalog);
});
afterAll(async () => {
  await t.close();
});

describe('projects', () => {
  it('creates a project with labels and storages and reads it in the ProjectRead shape', async () => {
    const p = await t.catalog.projects.create(owner, {
      name: 'cars',
      bug_tracker: 'http://bugs/1',
      labels: [
        {
          name: 'car',
          attributes: [
            { name: 'color', input_type: 'select', values: ['red', 'blue'], default_value: 'red' },
          ],
        },
      ],
      target_storage: { location: 'local' },
    });
    expect(p).toMatchObject({
      name: 'cars',
      owner: { id: owner.id, first_name: '', last_name: '' },
      assignee: null,
      guide_id: null,
      bug_tracker: 'http://bugs/1',
      task_subsets: [],
      status: 'annotation',
      dimension: null,
      organization_id: null,
      target_storage: { location: 'local', cloud_storage_id: null },
      source_storage: null,
      tasks_count: 0,
      import_request_id: null,
    });
    expect(p.created_date).toBeInstanceOf(Date);
    const labels = await t.catalog.labels.tree({ projectId: p.id });
    expect(labels.map((l) => [l.name, l.attributes.map((a) => a.values)])).toEqual([
      ['car', [['red', 'blue']]],
    ]);
  });

  it('hides another user’s project (null/false for get, update, delete, list) and shows everything to admins', async () => {
    const p = await t.catalog.projects.create(owner, { name: 'private' });
    expect(await t.catalog.projects.get(other, p.id)).toBeNull();
    expect(await t.catalog.projects.update(other, p.id, { name: 'x' })).toBeNull();
    expect(await t.catalog.projects.delete(other, p.id)).toBe(false);
    expect(
      (await t.catalog.projects.list(other, { pageSize: 'all' })).results.map((r) => r.id),
    ).not.toContain(p.id);
    expect((await t.catalog.projects.get(admin, p.id))?.name).toBe('private');
    expect(await t.catalog.projects.get(owner, 999_999)).toBeNull();
  });

  it('lists with CVAT pagination, filters and sorting', async () => {
    const me = await seedActor(t.catalog);
    for (const name of ['b', 'a', 'c'])
      await t.catalog.projects.create(me, { name, status: name === 'c' ? 'completed' : 'annotation' });
    const page1 = await t.catalog.projects.list(me, { pageSize: 2 });
    expect(page1.count).toBe(3);
    expect(page1.results.map((r) => r.name)).toEqual(['c', 'a']);
    expect((await t.catalog.projects.list(me, { pageSize: 2, page: 2 })).results.map((r) => r.name)).toEqual([
      'b',
    ]);
    expect((await t.catalog.projects.list(me, { sort: 'name' })).results.map((r) => r.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(
      (await t.catalog.projects.list(me, { filters: { status: 'completed' } })).results.map((r) => r.name),
    ).toEqual(['c']);
    expect((await t.catalog.projects.list(me, { filters: { owner: me.username } })).count).toBe(3);
    expect(await errorCodeOf(t.catalog.projects.list(me, { sort: 'password' }))).toBe(
      'CATALOG_INVALID_LIST_QUERY',
    );
  });

  it('updates fields and moves updated_date; deleting removes its tasks', async () => {
    const p = await t.catalog.projects.create(owner, { name: 'upd' });
    const task = await t.catalog.tasks.create(owner, { name: 't', project_id: p.id, subset: 'train' });
    const updated = await t.catalog.projects.update(owner, p.id, {
      name: 'upd2',
      assignee_id: other.id,
      status: 'validation',
    });
    expect(updated).toMatchObject({
      name: 'upd2',
      status: 'validation',
      assignee: { id: other.id },
      task_subsets: ['train'],
      tasks_count: 1,
    });
    expect(updated!.updated_date.getTime()).toBeGreaterThan(p.updated_date.getTime());
    expect(updated!.assignee_updated_date).toBeInstanceOf(Date);
    expect(await t.catalog.projects.delete(owner, p.id)).toBe(true);
    expect(await t.catalog.tasks.get(admin, task.id)).toBeNull();
  });

  it('refuses bad values with coded errors', async () => {
    expect(await errorCodeOf(t.catalog.projects.create(owner, { name: '' }))).toBe('CATALOG_INVALID_VALUE');
    expect(
      await errorCodeOf(
        t.catalog.projects.create(owner, {
          name: 'x',
          target_storage: { location: 'cloud_storage', cloud_storage_id: 424242 },
        }),
      ),
    ).toBe('CATALOG_REFERENCE_NOT_FOUND');
    expect(
      await errorCodeOf(
        t.catalog.projects.create(owner, { name: 'x', labels: [{ name: 'a' }, { name: 'a' }] }),
      ),
    ).toBe('CATALOG_CONFLICT');
    // Nothing of the failed creations is left.
    expect((await t.catalog.projects.list(admin, { filters: { name: 'x' } })).count).toBe(0);
  });

  it('finds a project by its import request id, which is unique', async () => {
    const p = await t.catalog.projects.create(owner, { name: 'restored', import_request_id: 'req-p-1' });
    expect((await t.catalog.projects.findByImportRequestId('req-p-1'))?.id).toBe(p.id);
    expect(await t.catalog.projects.findByImportRequestId('req-p-2')).toBeNull();
    expect(
      await errorCodeOf(t.catalog.projects.create(owner, { name: 'again', import_request_id: 'req-p-1' })),
    ).toBe('CATALOG_CONFLICT');
  });
});

describe('tasks', () => {
  it('creates a task with its own labels and reads it in the TaskRead shape', async () => {
    const task = await t.catalog.tasks.create(owner, {
      name: 'street',
      segment_size: 5,
      overlap: 0,
      subset: 'val',
      labels: [{ name: 'person' }],
      source_storage: { location: 'local' },
    });
    expect(task).toMatchObject({
      name: 'street',
      project_id: null,
      project_name: null,
      owner: { id: owner.id },
      segment_size: 5,
      overlap: 0,
      status: 'annotation',
      data: null,
      size: null,
      image_quality: null,
      data_cloud_storage_id: null,
      dimension: '2d',
      mode: '',
      subset: 'val',
      source_storage: { location: 'local' },
      target_storage: null,
      jobs: { count: 0, completed: 0, validation: 0 },
      validation_mode: null,
      consensus_replicas: 0,
    });
    expect((await t.catalog.labels.tree({ taskId: task.id })).map((l) => l.name)).toEqual(['person']);
  });

  it('uses the project’s labels and refuses its own label set alongside project_id', async () => {
    const p = await t.catalog.projects.create(owner, { name: 'with labels', labels: [{ name: 'car' }] });
    const task = await t.catalog.tasks.create(owner, { name: 'in project', project_id: p.id });
    expect(task.project_name).toBe('with labels');
    expect((await t.catalog.labels.treeOfTask(task.id)).map((l) => l.name)).toEqual(['car']);
    expect(
      await errorCodeOf(
        t.catalog.tasks.create(owner, { name: 'both', project_id: p.id, labels: [{ name: 'x' }] }),
      ),
    ).toBe('CATALOG_INVALID_VALUE');
  });

  it('refuses a project the actor cannot see, as if it did not exist', async () => {
    const p = await t.catalog.projects.create(owner, { name: 'not yours' });
    const err = await t.catalog.tasks
      .create(other, { name: 'sneaky', project_id: p.id })
      .catch((e: Error) => e);
    expect(isAppError(err, 'CATALOG_REFERENCE_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toBe(`The specified project ${p.id} does not exist.`);
  });

  it('shows a task to its owner, to the owner of its project and to admins only', async () => {
    const p = await t.catalog.projects.create(owner, { name: 'shared' });
    const task = await t.catalog.tasks.create(admin, {
      name: 'admin task in owner project',
      project_id: p.id,
    });
    expect((await t.catalog.tasks.get(owner, task.id))?.id).toBe(task.id);
    expect(await t.catalog.tasks.get(other, task.id)).toBeNull();
    expect(await t.catalog.tasks.update(other, task.id, { name: 'x' })).toBeNull();
    expect(await t.catalog.tasks.delete(other, task.id)).toBe(false);
    expect((await t.catalog.tasks.list(other, { filters: { project_id: p.id } })).count).toBe(0);
    expect((await t.catalog.tasks.list(owner, { filters: { project_id: p.id } })).count).toBe(1);
  });

  it('updates a task, moving its and its project’s updated_date; delete bumps the project', async () => {
    const p = await t.catalog.projects.create(owner, { name: 'dates' });
    const task = await t.catalog.tasks.create(owner, { name: 'd', project_id: p.id });
    const before = (await t.catalog.projects.get(owner, p.id))!.updated_date;
    const updated = await t.catalog.tasks.update(owner, task.id, {
      name: 'd2',
      subset: 'test',
      assignee_id: other.id,
    });
    expect(updated).toMatchObject({ name: 'd2', subset: 'test', assignee: { id: other.id } });
    expect(updated!.updated_date.getTime()).toBeGreaterThan(task.updated_date.getTime());
    const after = (await t.catalog.projects.get(owner, p.id))!.updated_date;
    expect(after.getTime()).toBeGreaterThan(before.getTime());
    expect(await t.catalog.tasks.delete(owner, task.id)).toBe(true);
    expect((await t.catalog.projects.get(owner, p.id))!.updated_date.getTime()).toBeGreaterThan(
      after.getTime(),
    );
  });

  it('lists tasks with filters on project and name, sorted', async () => {
    const me = await seedActor(t.catalog);
    const p = await t.catalog.projects.create(me, { name: 'lp' });
    await t.catalog.tasks.create(me, { name: 'one', project_id: p.id });
    await t.catalog.tasks.create(me, { name: 'two', project_id: p.id });
    await t.catalog.tasks.create(me, { name: 'three' });
    const inProject = await t.catalog.tasks.list(me, { filters: { project_id: String(p.id) }, sort: 'name' });
    expect(inProject.results.map((r) => r.name)).toEqual(['one', 'two']);
    expect((await t.catalog.tasks.list(me, { search: 'THR' })).results.map((r) => r.name)).toEqual(['three']);
    expect((await t.catalog.tasks.list(me, { filters: { project_name: 'lp' } })).count).toBe(2);
  });

  it('finds a task by import request id; a second with the same id conflicts', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'imported', import_request_id: 'req-t-1' });
    expect((await t.catalog.tasks.findByImportRequestId('req-t-1'))?.id).toBe(task.id);
    expect(
      await errorCodeOf(t.catalog.tasks.create(owner, { name: 'dup', import_request_id: 'req-t-1' })),
    ).toBe('CATALOG_CONFLICT');
  });
});
