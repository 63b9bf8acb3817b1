import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnnotationFixture,
  codeOf,
  openAnnotationFixture,
  readAll,
  sample as sample_,
} from '../../test/annotation-fixture.js';
import { type AnnotationItem, itemsOf, type Shape } from '../repositories/annotation.repository.js';
import { PgCatalog } from './pg-catalog.js';

let f: AnnotationFixture;
let t: AnnotationFixture['t'];
let owner: AnnotationFixture['owner'];
let jobs: AnnotationFixture['jobs'];
let taskId: number;
let projectId: number;
let car: AnnotationFixture['car'];
let person: AnnotationFixture['person'];
let scene: AnnotationFixture['scene'];

beforeAll(async () => {
  f = await openAnnotationFixture();
  ({ t, owner, jobs, taskId, projectId, car, person, scene } = f);
});
afterAll(async () => {
  await f.t.close();
});

/** Drops ids recursively, to compare what was written with what is read. */
function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'id')
        .map(([k, v]) => [k, withoutIds(v)]),
    );
  return value;
}

const sample = () => sample_({ car, person, scene });
describe('annotations', () => {
  it('writes every kind of object and reads it back equal, with CVAT defaults and ids', async () => {
    const job = jobs[0]!;
    const input = sample();
    const counts = await t.catalog.annotations.replace(job.id, itemsOf(input));
    expect(counts).toEqual({ tags: 1, shapes: 4, tracks: 2 });
    const read = await readAll(t.catalog.annotations.read(job.id));
    expect(read.version).toBe(0);
    expect(read.tags[0]).toEqual({
      id: expect.any(Number),
      label_id: scene.id,
      frame: 0,
      group: 0,
      source: 'manual',
      attributes: [{ spec_id: scene.attributes[0]!.id, value: 'rain\n"wet"\t\\' }],
    });
    expect(Object.keys(read.shapes[0]!.attributes[0]!)).toEqual(['spec_id', 'value']);
    expect(Object.keys(read.tags[0]!.attributes[0]!)).toEqual(['spec_id', 'value']);
    expect(Object.keys(read.tracks[0]!.shapes[1]!.attributes[0]!)).toEqual(['spec_id', 'value']);
    expect(Object.keys(read.shapes[0]!)).toEqual([
      'id',
      'label_id',
      'type',
      'frame',
      'group',
      'source',
      'score',
      'occluded',
      'outside',
      'z_order',
      'rotation',
      'points',
      'attributes',
      'elements',
    ]);
    expect(read.shapes[0]).toMatchObject({
      group: 3,
      z_order: 2,
      rotation: 45.5,
      occluded: true,
      outside: false,
      source: 'auto',
      score: 0.75,
      points: [10, 20.5, 110.25, 220],
    });
    const defaults = {
      group: 0,
      source: 'manual',
      score: 1,
      occluded: false,
      outside: false,
      z_order: 0,
      rotation: 0,
      attributes: [],
    };
    expect(withoutIds(read.shapes[3])).toEqual({
      ...defaults,
      label_id: person.id,
      type: 'skeleton',
      frame: 4,
      points: [],
      elements: input.shapes[3]!.elements!.map((e) => ({ ...defaults, ...e })),
    });
    const trackDefaults = { group: 0, source: 'manual', attributes: [] };
    const shapeDefaults = { occluded: false, outside: false, z_order: 0, rotation: 0, attributes: [] };
    expect(withoutIds(read.tracks)).toEqual(
      input.tracks.map((tr) => ({
        ...trackDefaults,
        ...tr,
        shapes: tr.shapes.map((s) => ({ ...shapeDefaults, ...s })),
        elements: (tr.elements ?? []).map((e) => ({
          ...trackDefaults,
          ...e,
          shapes: e.shapes.map((s) => ({ ...shapeDefaults, ...s })),
        })),
      })),
    );
    expect(Object.keys(read.tracks[0]!)).toEqual([
      'id',
      'label_id',
      'frame',
      'group',
      'source',
      'shapes',
      'attributes',
      'elements',
    ]);
    expect(await t.catalog.annotations.count(job.id)).toEqual({ tags: 1, shapes: 4, tracks: 2 });
  });

  it('keeps float points and rotations exact through the text encoding both ways', async () => {
    const job = jobs[1]!;
    const points = [0.1, 1e-7, -3.5e20, 123456789.12345679, 1 / 3, 0, -0];
    await t.catalog.annotations.replace(job.id, [
      {
        kind: 'shape',
        value: {
          label_id: car.id,
          type: 'polygon',
          frame: 10,
          points: points.slice(0, 6),
          rotation: 359.99999999999994,
        },
      },
      {
        kind: 'track',
        value: {
          label_id: car.id,
          frame: 10,
          shapes: [{ type: 'points', frame: 10, points: [1 / 3, 2 / 3] }],
        },
      },
    ]);
    const read = await readAll(t.catalog.annotations.read(job.id));
    expect(read.shapes[0]!.points).toEqual(points.slice(0, 6));
    expect(read.shapes[0]!.rotation).toBe(359.99999999999994);
    expect(read.tracks[0]!.shapes[0]!.points).toEqual([1 / 3, 2 / 3]);
    await t.catalog.annotations.clear(job.id);
  });

  it('moves the updated_date of the job, the task and the project on every write', async () => {
    const job = jobs[1]!;
    const task0 = (await t.catalog.tasks.get(owner, taskId))!.updated_date;
    const project0 = (await t.catalog.projects.get(owner, projectId))!.updated_date;
    await t.catalog.annotations.append(job.id, [{ kind: 'tag', value: { label_id: scene.id, frame: 10 } }]);
    const task1 = (await t.catalog.tasks.get(owner, taskId))!.updated_date;
    expect(task1.getTime()).toBeGreaterThan(task0.getTime());
    expect((await t.catalog.projects.get(owner, projectId))!.updated_date.getTime()).toBeGreaterThan(
      project0.getTime(),
    );
    expect((await t.catalog.jobs.get(owner, job.id))!.updated_date.getTime()).toBeGreaterThan(
      job.updated_date.getTime(),
    );
    await t.catalog.annotations.clear(job.id);
    expect((await t.catalog.tasks.get(owner, taskId))!.updated_date.getTime()).toBeGreaterThan(
      task1.getTime(),
    );
  });

  it.each<[string, () => AnnotationItem, RegExp]>([
    [
      'a label of another task',
      () => ({ kind: 'tag', value: { label_id: 424242, frame: 10 } }),
      /label_id 424242 is not a label/,
    ],
    [
      'a sublabel at the top level',
      () => ({
        kind: 'shape',
        value: { label_id: person.sublabels[0]!.id, type: 'points', frame: 10, points: [1, 1] },
      }),
      /skeleton sublabel/,
    ],
    [
      'an element that is not a sublabel of its skeleton',
      () => ({
        kind: 'shape',
        value: {
          label_id: person.id,
          type: 'skeleton',
          frame: 10,
          elements: [{ label_id: car.id, type: 'points', frame: 10, points: [1, 1] }],
        },
      }),
      /not a sublabel/,
    ],
    [
      'an attribute of another label',
      () => ({
        kind: 'shape',
        value: {
          label_id: car.id,
          type: 'rectangle',
          frame: 10,
          points: [1, 2, 3, 4],
          attributes: [{ spec_id: scene.attributes[0]!.id, value: 'x' }],
        },
      }),
      /not an attribute of label/,
    ],
    [
      'a frame outside the job',
      () => ({ kind: 'tag', value: { label_id: scene.id, frame: 3 } }),
      /frame 3 is not a frame of this job/,
    ],
    [
      'a rectangle with 3 values',
      () => ({ kind: 'shape', value: { label_id: car.id, type: 'rectangle', frame: 10, points: [1, 2, 3] } }),
      /needs 4 points/,
    ],
    [
      'a polygon with an odd count',
      () => ({
        kind: 'shape',
        value: { label_id: car.id, type: 'polygon', frame: 10, points: [1, 2, 3, 4, 5, 6, 7] },
      }),
      /polygon needs/,
    ],
    [
      'elements on a rectangle',
      () => ({
        kind: 'shape',
        value: {
          label_id: car.id,
          type: 'rectangle',
          frame: 10,
          points: [1, 2, 3, 4],
          elements: [{ label_id: car.id, type: 'points', frame: 10, points: [1, 1] }],
        },
      }),
      /only skeleton/,
    ],
    [
      'a skeleton without elements',
      () => ({ kind: 'shape', value: { label_id: person.id, type: 'skeleton', frame: 10, elements: [] } }),
      /at least one element/,
    ],
    [
      'an unknown source',
      () => ({ kind: 'tag', value: { label_id: scene.id, frame: 10, source: 'robot' as 'auto' } }),
      /source "robot"/,
    ],
    [
      'a rotation above 360',
      () => ({
        kind: 'shape',
        value: { label_id: car.id, type: 'rectangle', frame: 10, points: [1, 2, 3, 4], rotation: 361 },
      }),
      /rotation/,
    ],
    [
      'a negative group',
      () => ({ kind: 'tag', value: { label_id: scene.id, frame: 10, group: -1 } }),
      /group/,
    ],
    [
      'a tracked shape outside the job',
      () => ({
        kind: 'track',
        value: {
          label_id: car.id,
          frame: 10,
          shapes: [{ type: 'rectangle', frame: 25, points: [1, 2, 3, 4] }],
        },
      }),
      /frame 25/,
    ],
    [
      'a NaN point',
      () => ({
        kind: 'shape',
        value: { label_id: car.id, type: 'rectangle', frame: 10, points: [1, 2, 3, Number.NaN] },
      }),
      /finite/,
    ],
  ])('refuses %s and writes nothing, even after earlier batches were copied', async (_what, bad, message) => {
    const job = jobs[1]!;
    await t.catalog.annotations.clear(job.id);
    const small = new PgCatalog(t.pool, { credentialsKey: t.key, annotations: { batchRows: 3 } });
    async function* items(): AsyncIterable<AnnotationItem> {
      for (let i = 0; i < 10; i++) yield { kind: 'tag', value: { label_id: scene.id, frame: 10 + (i % 10) } };
      yield bad();
    }
    const result = await codeOf(small.annotations.append(job.id, items()));
    expect(result).toMatch(
      /^CATALOG_ANNOTATION_INVALID: Annotation (tag|shape|track) #10 of job \d+ is invalid: /,
    );
    expect(result).toMatch(message);
    expect(await t.catalog.annotations.count(job.id)).toEqual({ tags: 0, shapes: 0, tracks: 0 });
  });

  it('accepts only the specific frames of a ground-truth job', async () => {
    const gt = jobs[2]!;
    await t.catalog.annotations.append(gt.id, [{ kind: 'tag', value: { label_id: scene.id, frame: 5 } }]);
    expect(
      await codeOf(
        t.catalog.annotations.append(gt.id, [{ kind: 'tag', value: { label_id: scene.id, frame: 3 } }]),
      ),
    ).toMatch(/frame 3 is not a frame/);
  });

  it('updates objects in place (ids kept, elements replaced) and deletes by id', async () => {
    const job = jobs[1]!;
    await t.catalog.annotations.clear(job.id);
    const input = sample();
    const shifted = {
      tags: input.tags.map((x) => ({ ...x, frame: x.frame + 10 })),
      shapes: input.shapes.map((x) => ({
        ...x,
        frame: x.frame + 10,
        elements: x.elements?.map((e) => ({ ...e, frame: e.frame + 10 })),
      })),
      tracks: [],
    };
    await t.catalog.annotations.append(job.id, itemsOf(shifted));
    const before = await readAll(t.catalog.annotations.read(job.id));
    const skeleton = before.shapes[3]!;
    const moved: Shape = {
      ...skeleton,
      frame: 15,
      elements: skeleton.elements.slice(0, 1).map((e) => ({ ...e, frame: 15, points: [99, 99] })),
    };
    expect(await t.catalog.annotations.update(job.id, [{ kind: 'shape', value: moved }])).toEqual({
      tags: 0,
      shapes: 1,
      tracks: 0,
    });
    const after = await readAll(t.catalog.annotations.read(job.id));
    const updated = after.shapes.find((s) => s.id === skeleton.id)!;
    expect(updated.frame).toBe(15);
    expect(updated.elements).toEqual([{ ...skeleton.elements[0], frame: 15, points: [99, 99] }]);
    expect(
      await codeOf(
        t.catalog.annotations.update(job.id, [
          { kind: 'tag', value: { id: 424242, label_id: scene.id, frame: 10 } },
        ]),
      ),
    ).toMatch(/^CATALOG_REFERENCE_NOT_FOUND/);
    expect(
      await codeOf(
        t.catalog.annotations.update(job.id, [{ kind: 'tag', value: { label_id: scene.id, frame: 10 } }]),
      ),
    ).toMatch(/id must be present/);
    const deleted = await t.catalog.annotations.delete(job.id, {
      tags: [before.tags[0]!.id],
      shapes: [skeleton.id, before.shapes[0]!.id, 424242],
    });
    expect(deleted).toEqual({ tags: 1, shapes: 2, tracks: 0 });
    expect(await t.catalog.annotations.count(job.id)).toEqual({ tags: 0, shapes: 2, tracks: 0 });
    // Elements went with their skeleton.
    const { rows } = await t.pool.query('SELECT 1 FROM annotation_shapes WHERE parent_id = $1', [
      skeleton.id,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('removes annotations with their job, task, label or attribute (no foreign keys on the hot path)', async () => {
    const labelled = await t.catalog.tasks.create(owner, {
      name: 'cleanup',
      labels: [
        {
          name: 'keep',
          attributes: [
            { name: 'a', input_type: 'text' },
            { name: 'b', input_type: 'text' },
          ],
        },
        { name: 'drop' },
      ],
    });
    const [keep, drop] = await t.catalog.labels.tree({ taskId: labelled.id });
    await t.catalog.data.create(labelled.id, { image_quality: 70, size: 4 });
    const [job] = await t.catalog.jobs.createSegments(labelled.id, [{ start_frame: 0, stop_frame: 3 }]);
    const [a, b] = keep!.attributes;
    await t.catalog.annotations.append(job!.id, [
      {
        kind: 'tag',
        value: {
          label_id: keep!.id,
          frame: 0,
          attributes: [
            { spec_id: a!.id, value: '1' },
            { spec_id: b!.id, value: '2' },
          ],
        },
      },
      { kind: 'tag', value: { label_id: drop!.id, frame: 1 } },
      {
        kind: 'track',
        value: {
          label_id: keep!.id,
          frame: 0,
          shapes: [
            { type: 'points', frame: 0, points: [1, 1], attributes: [{ spec_id: a!.id, value: 'x' }] },
          ],
        },
      },
    ]);
    await t.catalog.labels.apply({ taskId: labelled.id }, [
      {
        id: keep!.id,
        name: 'keep',
        attributes: [{ id: a!.id, name: 'a', input_type: 'text', deleted: true }],
      },
    ]);
    const afterAttribute = await readAll(t.catalog.annotations.read(job!.id));
    expect(afterAttribute.tags[0]!.attributes).toEqual([{ spec_id: b!.id, value: '2' }]);
    expect(afterAttribute.tracks[0]!.shapes[0]!.attributes).toEqual([]);
    expect(await t.catalog.labels.delete(owner, drop!.id)).toBe(true);
    expect((await t.catalog.annotations.count(job!.id)).tags).toBe(1);
    expect(await t.catalog.tasks.delete(owner, labelled.id)).toBe(true);
    const { rows } = await t.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM annotation_tags WHERE job_id = $1) + (SELECT count(*) FROM annotation_tracks WHERE job_id = $1)
         + (SELECT count(*) FROM annotation_tracked_shapes) * 0 AS n`,
      [job!.id],
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
