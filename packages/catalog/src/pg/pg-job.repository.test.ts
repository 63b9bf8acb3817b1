import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf, openTestCatalog, seedActor, type TestCatalog } from '../../test/catalog-fixture.js';
import type { Actor } from '../repositories/common.types.js';
import { planRangeSegments } from '../repositories/job.repository.js';

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

async function taskWithData(size: number) {
  const task = await t.catalog.tasks.create(owner, {
    name: 'jobs',
    segment_size: 5,
    labels: [{ name: 'a' }],
  });
  await t.catalog.data.create(task.id, { image_quality: 70, chunk_size: 10, size });
  return task;
}

describe('planRangeSegments', () => {
  it('splits frames like CVAT, with overlap and a whole-task segment for size 0', () => {
    expect(planRangeSegments(10, 5, 0)).toEqual([
      { start_frame: 0, stop_frame: 4 },
      { start_frame: 5, stop_frame: 9 },
    ]);
    expect(planRangeSegments(10, 5, 2)).toEqual([
      { start_frame: 0, stop_frame: 4 },
      { start_frame: 3, stop_frame: 7 },
      { start_frame: 6, stop_frame: 9 },
    ]);
    expect(planRangeSegments(7, 0, 0)).toEqual([{ start_frame: 0, stop_frame: 6 }]);
    expect(planRangeSegments(3, 10, 5)).toEqual([{ start_frame: 0, stop_frame: 2 }]);
    expect(planRangeSegments(0, 5, 0)).toEqual([]);
  });
});

describe('jobs', () => {
  it('creates segments and jobs (annotation, GT with specific frames) in the JobRead shape', async () => {
    const task = await taskWithData(10);
    const jobs = await t.catalog.jobs.createSegments(task.id, [
      ...planRangeSegments(10, 5, 0),
      {
        start_frame: 1,
        stop_frame: 7,
        frames: [7, 1, 3],
        jobs: [{ type: 'ground_truth', status: 'completed', stage: 'acceptance', state: 'completed' }],
      },
    ]);
    expect(jobs.map((j) => [j.type, j.start_frame, j.stop_frame, j.frame_count, j.frames])).toEqual([
      ['annotation', 0, 4, 5, null],
      ['annotation', 5, 9, 5, null],
      ['ground_truth', 1, 7, 3, [1, 3, 7]],
    ]);
    expect(jobs[0]).toMatchObject({
      task_id: task.id,
      task_name: 'jobs',
      project_id: null,
      assignee: null,
      status: 'annotation',
      stage: 'annotation',
      state: 'new',
      data_chunk_size: 10,
      data_compressed_chunk_type: 'imageset',
      segment_type: 'range',
      replicas_count: 0,
      parent_job_id: null,
    });
    expect(jobs[2]).toMatchObject({ status: 'completed', segment_type: 'specific_frames' });
    expect((await t.catalog.tasks.get(owner, task.id))?.jobs).toEqual({
      count: 3,
      completed: 1,
      validation: 0,
    });
    expect(
      await errorCodeOf(
        t.catalog.jobs.createSegments(task.id, [{ start_frame: 0, stop_frame: 3, frames: [5] }]),
      ),
    ).toBe('CATALOG_INVALID_VALUE');
  });

  it('returns jobs in CVAT backup order: segments by their first job id, then jobs by id', async () => {
    const task = await taskWithData(10);
    const [seg1job1] = await t.catalog.jobs.createSegments(task.id, [{ start_frame: 0, stop_frame: 4 }]);
    const [seg2job] = await t.catalog.jobs.createSegments(task.id, [{ start_frame: 5, stop_frame: 9 }]);
    // A later job on the first segment (e.g. a consensus replica) keeps its segment's place.
    const { rows } = await t.pool.query<{ id: number }>(
      `INSERT INTO jobs (segment_id, task_id, type, parent_job_id) VALUES ($1, $2, 'consensus_replica', $3) RETURNING id`,
      [seg1job1!.segment_id, task.id, seg1job1!.id],
    );
    const order = (await t.catalog.jobs.forTask(task.id)).map((j) => j.id);
    expect(order).toEqual([seg1job1!.id, rows[0]!.id, seg2job!.id]);
    expect((await t.catalog.jobs.get(owner, seg1job1!.id))?.replicas_count).toBe(1);
  });

  it('updates like CVAT: a new stage resets the state, status is derived, assignee is dated', async () => {
    const task = await taskWithData(5);
    const [job] = await t.catalog.jobs.createSegments(task.id, [{ start_frame: 0, stop_frame: 4 }]);
    const inProgress = await t.catalog.jobs.update(owner, job!.id, { state: 'in progress' });
    expect(inProgress).toMatchObject({ stage: 'annotation', state: 'in progress', status: 'annotation' });
    const validation = await t.catalog.jobs.update(owner, job!.id, { stage: 'validation' });
    expect(validation).toMatchObject({ stage: 'validation', state: 'new', status: 'validation' });
    const done = await t.catalog.jobs.update(owner, job!.id, {
      stage: 'acceptance',
      state: 'completed',
      assignee_id: other.id,
    });
    expect(done).toMatchObject({ status: 'completed', assignee: { id: other.id } });
    expect(done!.assignee_updated_date).toBeInstanceOf(Date);
    expect(done!.updated_date.getTime()).toBeGreaterThan(job!.updated_date.getTime());
    expect(await t.catalog.jobs.update(other, job!.id, { state: 'new' })).toBeNull();
    expect(await errorCodeOf(t.catalog.jobs.update(owner, job!.id, { assignee_id: 424242 }))).toBe(
      'CATALOG_REFERENCE_NOT_FOUND',
    );
  });

  it('deletes only ground-truth jobs, and lists with filters for visible tasks only', async () => {
    const task = await taskWithData(10);
    const [annotation, gt] = await t.catalog.jobs.createSegments(task.id, [
      { start_frame: 0, stop_frame: 9 },
      { start_frame: 0, stop_frame: 9, frames: [2], jobs: [{ type: 'ground_truth' }] },
    ]);
    expect(await errorCodeOf(t.catalog.jobs.delete(owner, annotation!.id))).toBe('CATALOG_INVALID_VALUE');
    const list = await t.catalog.jobs.list(owner, { filters: { task_id: task.id }, sort: 'id' });
    expect(list.results.map((j) => j.id)).toEqual([annotation!.id, gt!.id]);
    expect(
      (await t.catalog.jobs.list(owner, { filters: { task_id: task.id, type: 'ground_truth' } })).count,
    ).toBe(1);
    expect((await t.catalog.jobs.list(other, { filters: { task_id: task.id } })).count).toBe(0);
    expect(await t.catalog.jobs.get(other, gt!.id)).toBeNull();
    expect(await t.catalog.jobs.delete(other, gt!.id)).toBe(false);
    expect(await t.catalog.jobs.delete(owner, gt!.id)).toBe(true);
    expect((await t.catalog.jobs.forTask(task.id)).map((j) => j.id)).toEqual([annotation!.id]);
  });
});
