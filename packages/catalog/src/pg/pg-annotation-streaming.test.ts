import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnnotationFixture,
  codeOf,
  collect,
  openAnnotationFixture,
  readAll,
  sample as sample_,
} from '../../test/annotation-fixture.js';
import { type AnnotationItem, itemsOf, type Shape } from '../repositories/annotation.repository.js';

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

const sample = () => sample_({ car, person, scene });
describe('annotations at scale and across jobs', () => {
  it('replaces and reads task-level annotations, routing objects to the job of their frames', async () => {
    const items: AnnotationItem[] = [
      { kind: 'tag', value: { label_id: scene.id, frame: 12 } },
      { kind: 'tag', value: { label_id: scene.id, frame: 1 } },
      { kind: 'shape', value: { label_id: car.id, type: 'rectangle', frame: 9, points: [1, 2, 3, 4] } },
      {
        kind: 'track',
        value: {
          label_id: car.id,
          frame: 10,
          shapes: [
            { type: 'rectangle', frame: 10, points: [1, 2, 3, 4] },
            { type: 'rectangle', frame: 19, points: [1, 2, 3, 4], outside: true },
          ],
        },
      },
    ];
    const gtBefore = await t.catalog.annotations.count(jobs[2]!.id);
    expect(await t.catalog.annotations.replaceTask(taskId, items)).toEqual({ tags: 2, shapes: 1, tracks: 1 });
    expect(await t.catalog.annotations.count(jobs[0]!.id)).toEqual({ tags: 1, shapes: 1, tracks: 0 });
    expect(await t.catalog.annotations.count(jobs[1]!.id)).toEqual({ tags: 1, shapes: 0, tracks: 1 });
    // Ground-truth jobs are not part of the task's annotations unless the task is gt_pool.
    expect(await t.catalog.annotations.count(jobs[2]!.id)).toEqual(gtBefore);
    const read = await readAll(t.catalog.annotations.readTask(taskId));
    expect(read.tags.map((x) => x.frame)).toEqual([1, 12]);
    expect(read.shapes.map((x) => x.frame)).toEqual([9]);
    expect(read.tracks.map((x) => x.shapes.map((s) => s.frame))).toEqual([[10, 19]]);
    const spanning: AnnotationItem = {
      kind: 'track',
      value: {
        label_id: car.id,
        frame: 8,
        shapes: [
          { type: 'rectangle', frame: 8, points: [1, 2, 3, 4] },
          { type: 'rectangle', frame: 11, points: [1, 2, 3, 4] },
        ],
      },
    };
    expect(await codeOf(t.catalog.annotations.replaceTask(taskId, [items[0]!, spanning]))).toMatch(
      /frames 8, 11 do not lie within one job/,
    );
    // The failed replace left the previous annotations in place.
    expect((await readAll(t.catalog.annotations.readTask(taskId))).tags).toHaveLength(2);
    expect(await codeOf(t.catalog.annotations.replaceTask(424242, []))).toMatch(
      /^CATALOG_REFERENCE_NOT_FOUND/,
    );
  });

  it('serialises concurrent writers of one job: the result is one whole write, never a mix', async () => {
    const job = jobs[1]!;
    const write = (frame: number, n: number) =>
      t.catalog.annotations.replace(
        job.id,
        Array.from(
          { length: n },
          (): AnnotationItem => ({ kind: 'tag', value: { label_id: scene.id, frame } }),
        ),
      );
    await Promise.all([write(11, 300), write(12, 500), write(13, 700)]);
    const tags = await collect(t.catalog.annotations.read(job.id).tags());
    const frames = new Set(tags.map((x) => x.frame));
    expect(frames.size).toBe(1);
    expect(tags).toHaveLength({ 11: 300, 12: 500, 13: 700 }[[...frames][0] as 11 | 12 | 13]);
    await t.catalog.annotations.clear(job.id);
  });

  it('reads inside a transaction on the transaction’s connection', async () => {
    const job = jobs[0]!;
    await t.catalog.annotations.replace(job.id, itemsOf(sample()));
    const read = await t.catalog.transaction(async (tx) => readAll(tx.annotations.read(job.id)), {
      isolation: 'repeatable read',
      readOnly: true,
    });
    expect(read.shapes).toHaveLength(4);
    expect(read.tracks).toHaveLength(2);
  });

  it('streams 100,000 shapes in with COPY and out through a cursor at a flat heap', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const task = await t.catalog.tasks.create(owner, { name: 'big', project_id: projectId });
    await t.catalog.data.create(task.id, { image_quality: 70, size: 1000 });
    const [job] = await t.catalog.jobs.createSegments(task.id, [{ start_frame: 0, stop_frame: 999 }]);
    const total = 100_000;
    async function* many(): AsyncIterable<AnnotationItem> {
      for (let i = 0; i < total; i++)
        yield {
          kind: 'shape',
          value: {
            label_id: car.id,
            type: 'rectangle',
            frame: i % 1000,
            points: [i, i + 1, i + 2, i + 3],
            attributes: [{ spec_id: car.attributes[0]!.id, value: 'red' }],
          },
        };
    }
    expect(await t.catalog.annotations.append(job!.id, many())).toEqual({
      tags: 0,
      shapes: total,
      tracks: 0,
    });

    // Heap after GC at 10% and at 90% of the read: streaming keeps it flat; holding the rows would not.
    const measure = async (keep: boolean) => {
      const kept: Shape[] = [];
      let n = 0;
      let at10 = 0;
      let at90 = 0;
      let previous = -1;
      let outOfOrder = 0;
      for await (const shape of t.catalog.annotations.read(job!.id).shapes()) {
        if (shape.points[0]! <= previous) outOfOrder++;
        previous = shape.points[0]!;
        if (keep) kept.push(shape);
        n++;
        if (n === total / 10 || n === (total * 9) / 10) {
          gc();
          if (n === total / 10) at10 = process.memoryUsage().heapUsed;
          else at90 = process.memoryUsage().heapUsed;
        }
      }
      expect(n).toBe(total);
      expect(outOfOrder).toBe(0);
      return { growth: at90 - at10, kept: kept.length };
    };
    const streamed = await measure(false);
    const held = await measure(true);
    expect(held.kept).toBe(total);
    // Holding 80,000 shapes costs tens of MB; streaming them costs about one cursor batch.
    expect(held.growth).toBeGreaterThan(20 * 1024 * 1024);
    expect(streamed.growth).toBeLessThan(5 * 1024 * 1024);
  });
});
