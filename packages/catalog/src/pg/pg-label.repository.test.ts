import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf, openTestCatalog, seedActor, type TestCatalog } from '../../test/catalog-fixture.js';
import type { Actor } from '../repositories/common.types.js';

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

const skeleton = {
  name: 'person',
  type: 'skeleton' as const,
  svg: '<circle data-label-name="nose" cx="1"></circle><circle data-label-name="eye" cx="2"></circle>',
  attributes: [{ name: 'pose', input_type: 'text' as const, mutable: true }],
  sublabels: [
    {
      name: 'nose',
      type: 'points' as const,
      attributes: [{ name: 'visible', input_type: 'checkbox' as const, default_value: 'true' }],
    },
    { name: 'eye', type: 'points' as const },
  ],
};

describe('labels', () => {
  it('creates skeletons with sublabels and rewrites svg names into sublabel ids', async () => {
    const project = await t.catalog.projects.create(owner, { name: 'p' });
    const [label] = await t.catalog.labels.create({ projectId: project.id }, [skeleton]);
    expect(label).toMatchObject({
      name: 'person',
      type: 'skeleton',
      project_id: project.id,
      parent_id: null,
      has_parent: false,
    });
    expect(label!.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(label!.task_id).toBeUndefined();
    const [nose, eye] = label!.sublabels;
    expect(nose).toMatchObject({ name: 'nose', type: 'points', has_parent: true });
    expect(nose!.attributes).toEqual([
      {
        id: expect.any(Number),
        name: 'visible',
        mutable: false,
        input_type: 'checkbox',
        default_value: 'true',
        values: [],
      },
    ]);
    expect(label!.svg).toBe(
      `<circle data-label-id="${nose!.id}" cx="1"></circle><circle data-label-id="${eye!.id}" cx="2"></circle>`,
    );
  });

  it('omits svg for non-skeleton labels', async () => {
    const task = await t.catalog.tasks.create(owner, {
      name: 't',
      labels: [{ name: 'car', color: '#aabbcc' }],
    });
    const [car] = await t.catalog.labels.tree({ taskId: task.id });
    expect(car).toMatchObject({ name: 'car', color: '#aabbcc', task_id: task.id, sublabels: [] });
    expect('svg' in car!).toBe(false);
    expect('project_id' in car!).toBe(false);
  });

  it('refuses an svg naming an unknown sublabel, a duplicate name and a bad colour, leaving nothing', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'bad' });
    expect(
      await errorCodeOf(
        t.catalog.labels.create({ taskId: task.id }, [{ ...skeleton, svg: '<x data-label-name="tail"/>' }]),
      ),
    ).toBe('CATALOG_INVALID_VALUE');
    expect(
      await errorCodeOf(t.catalog.labels.create({ taskId: task.id }, [{ name: 'a' }, { name: 'a' }])),
    ).toBe('CATALOG_CONFLICT');
    expect(
      await errorCodeOf(t.catalog.labels.create({ taskId: task.id }, [{ name: 'c', color: 'red' }])),
    ).toBe('CATALOG_INVALID_VALUE');
    expect(await t.catalog.labels.tree({ taskId: task.id })).toEqual([]);
  });

  it('applies CVAT PATCH semantics: update by id, delete, create; foreign ids are refused', async () => {
    const task = await t.catalog.tasks.create(owner, {
      name: 'patch',
      labels: [{ name: 'a', attributes: [{ name: 'k', input_type: 'radio', values: ['1'] }] }, { name: 'b' }],
    });
    const [a, b] = await t.catalog.labels.tree({ taskId: task.id });
    const attr = a!.attributes[0]!;
    const after = await t.catalog.labels.apply({ taskId: task.id }, [
      {
        id: a!.id,
        name: 'a2',
        attributes: [{ id: attr.id, name: 'k', input_type: 'radio', values: ['1', '2'] }],
      },
      { id: b!.id, name: 'b', deleted: true },
      { name: 'c' },
    ]);
    expect(after.map((l) => l.name)).toEqual(['a2', 'c']);
    expect(after[0]!.attributes[0]!.values).toEqual(['1', '2']);
    const foreign = await t.catalog.tasks.create(owner, { name: 'other', labels: [{ name: 'z' }] });
    const [z] = await t.catalog.labels.tree({ taskId: foreign.id });
    expect(
      await errorCodeOf(t.catalog.labels.apply({ taskId: task.id }, [{ id: z!.id, name: 'stolen' }])),
    ).toBe('CATALOG_REFERENCE_NOT_FOUND');
    expect(
      await errorCodeOf(
        t.catalog.labels.apply({ taskId: task.id }, [{ id: a!.id, name: 'a2', type: 'skeleton' }]),
      ),
    ).toBe('CATALOG_INVALID_VALUE');
  });

  it('lists top-level labels by task, project or job scope, hiding other users’ resources', async () => {
    const project = await t.catalog.projects.create(owner, {
      name: 'scoped',
      labels: [skeleton, { name: 'car' }],
    });
    const task = await t.catalog.tasks.create(owner, { name: 'in p', project_id: project.id });
    await t.catalog.data.create(task.id, { image_quality: 70, size: 2 });
    const [job] = await t.catalog.jobs.createSegments(task.id, [{ start_frame: 0, stop_frame: 1 }]);
    for (const scope of [{ project_id: project.id }, { task_id: task.id }, { job_id: job!.id }]) {
      const page = await t.catalog.labels.list(owner, scope);
      expect(page?.results.map((l) => l.name)).toEqual(['person', 'car']);
      expect(page?.count).toBe(2);
      expect(await t.catalog.labels.list(other, scope)).toBeNull();
    }
    const filtered = await t.catalog.labels.list(
      owner,
      { project_id: project.id },
      { filters: { type: 'skeleton' } },
    );
    expect(filtered?.results.map((l) => l.name)).toEqual(['person']);
    expect(
      await errorCodeOf(t.catalog.labels.list(owner, { project_id: project.id, task_id: task.id })),
    ).toBe('CATALOG_INVALID_LIST_QUERY');
    const all = await t.catalog.labels.list(other, {});
    expect(all?.count).toBe(0);
  });

  it('gets and deletes a label only for someone who sees its owner; deleting touches the task', async () => {
    const task = await t.catalog.tasks.create(owner, { name: 'del', labels: [{ name: 'x' }] });
    const [x] = await t.catalog.labels.tree({ taskId: task.id });
    expect(await t.catalog.labels.get(other, x!.id)).toBeNull();
    expect(await t.catalog.labels.update(other, x!.id, { name: 'stolen' })).toBeNull();
    expect(await t.catalog.labels.update(owner, x!.id, { name: 'x2', color: '#010203' })).toMatchObject({
      id: x!.id,
      name: 'x2',
      color: '#010203',
    });
    expect(await t.catalog.labels.delete(other, x!.id)).toBe(false);
    expect((await t.catalog.labels.get(owner, x!.id))?.name).toBe('x2');
    const before = (await t.catalog.tasks.get(owner, task.id))!.updated_date;
    expect(await t.catalog.labels.delete(owner, x!.id)).toBe(true);
    expect(await t.catalog.labels.get(owner, x!.id)).toBeNull();
    expect((await t.catalog.tasks.get(owner, task.id))!.updated_date.getTime()).toBeGreaterThan(
      before.getTime(),
    );
  });
});
