import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LabelView,
  sampleAnnotations,
  sampleLabels,
  withoutIds,
} from '../../test/annotation-samples.js';
import { multipartBody, openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';
import { png } from '../../test/test-images.js';

describe('annotations', () => {
  let api: TestApi;
  let alice: TestUser;
  beforeAll(async () => {
    api = await openTestApi({ limits: { annotationBytes: 256 * 1024, annotationObjectBytes: 8 * 1024 } });
    alice = await api.user();
  });
  afterAll(async () => api?.close());

  /** A task with `frames` images split into jobs of `segment` frames, and its labels. */
  const taskWithData = async (frames: number, segment = 0) => {
    const task = (
      await alice.call({
        method: 'POST',
        url: '/api/tasks',
        payload: { name: 't', labels: sampleLabels, segment_size: segment },
      })
    ).json();
    const files = Array.from({ length: frames }, (_, i) => ({ name: `f${i}.png`, content: png(10, 10) }));
    const { payload, headers } = multipartBody(files, { image_quality: '80' });
    expect(
      (await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, payload, headers })).statusCode,
    ).toBe(202);
    const labels = (await alice.call({ method: 'GET', url: `/api/labels?task_id=${task.id}` })).json()
      .results as LabelView[];
    const jobs = (await alice.call({ method: 'GET', url: `/api/jobs?task_id=${task.id}&sort=id` })).json()
      .results;
    return { task, labels, jobs: jobs as Array<{ id: number; start_frame: number; stop_frame: number }> };
  };

  it('PUT then GET returns every kind of annotation equal, with ids, for tasks and jobs', async () => {
    const { task, labels, jobs } = await taskWithData(2);
    const data = sampleAnnotations(labels);
    const put = await alice.call({ method: 'PUT', url: `/api/tasks/${task.id}/annotations/`, payload: data });
    expect(put.statusCode).toBe(200);
    const saved = put.json();
    expect(saved.shapes.every((s: { id: number }) => Number.isInteger(s.id))).toBe(true);
    expect(withoutIds(saved)).toEqual({ ...data, intervals: [] });
    const got = await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/annotations` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(saved);
    const viaJob = (await alice.call({ method: 'GET', url: `/api/jobs/${jobs[0]!.id}/annotations` })).json();
    expect(viaJob).toEqual(saved);
  });

  it('splits a task PUT over its jobs by frame and merges them back', async () => {
    const { task, labels, jobs } = await taskWithData(4, 2);
    expect(jobs).toHaveLength(2);
    const data = sampleAnnotations(labels, { a: 1, b: 2 });
    const put = await alice.call({ method: 'PUT', url: `/api/tasks/${task.id}/annotations`, payload: data });
    expect(put.statusCode).toBe(200);
    const first = (await alice.call({ method: 'GET', url: `/api/jobs/${jobs[0]!.id}/annotations` })).json();
    const second = (await alice.call({ method: 'GET', url: `/api/jobs/${jobs[1]!.id}/annotations` })).json();
    expect(first.shapes.map((s: { frame: number }) => s.frame)).toEqual([1, 1]);
    expect(second.shapes.map((s: { frame: number }) => s.frame)).toEqual([2]);
    // The track crossing frames 1 → 2 is cut at the job boundary.
    expect(first.tracks[0].shapes.map((s: { frame: number }) => s.frame)).toEqual([1]);
    expect(second.tracks[0].shapes.map((s: { frame: number }) => s.frame)).toEqual([2]);
    const all = (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/annotations` })).json();
    expect(all.shapes).toHaveLength(3);
    expect(all.tracks).toHaveLength(3);
  });

  it('PATCH create / update / delete, and DELETE', async () => {
    const { task, labels, jobs } = await taskWithData(2);
    const url = `/api/jobs/${jobs[0]!.id}/annotations`;
    const data = sampleAnnotations(labels);
    const created = await alice.call({ method: 'PATCH', url: `${url}?action=create`, payload: data });
    expect(created.statusCode).toBe(200);
    const c = created.json();
    expect(c.shapes).toHaveLength(3);
    const more = await alice.call({
      method: 'PATCH',
      url: `${url}?action=create`,
      payload: { shapes: [data.shapes[1]] },
    });
    expect(more.json().shapes).toHaveLength(1);
    expect(more.json().tags).toHaveLength(0);

    const moved = { ...c.shapes[0], points: [5, 5, 50, 50] };
    const updated = await alice.call({
      method: 'PATCH',
      url: `${url}?action=update`,
      payload: { shapes: [moved] },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().shapes).toEqual([moved]);

    const deleted = await alice.call({
      method: 'PATCH',
      url: `${url}?action=delete`,
      payload: { shapes: [{ ...c.shapes[1] }], tags: c.tags },
    });
    expect(deleted.statusCode).toBe(200);
    const after = (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/annotations` })).json();
    expect(after.tags).toHaveLength(0);
    expect(after.shapes.map((s: { id: number }) => s.id)).not.toContain(c.shapes[1].id);
    expect(after.shapes).toHaveLength(3);

    expect(
      (await alice.call({ method: 'DELETE', url: `/api/tasks/${task.id}/annotations` })).statusCode,
    ).toBe(204);
    const empty = (await alice.call({ method: 'GET', url }).then((r) => r.json())) as Record<
      string,
      unknown[]
    >;
    expect([empty.tags, empty.shapes, empty.tracks]).toEqual([[], [], []]);
  });

  it('PATCH refuses a wrong action, ids on create and missing ids on update', async () => {
    const { labels, jobs } = await taskWithData(1);
    const url = `/api/jobs/${jobs[0]!.id}/annotations`;
    const shape = sampleAnnotations(labels, { a: 0, b: 0 }).shapes[0]!;
    const noAction = await alice.call({ method: 'PATCH', url, payload: { shapes: [shape] } });
    expect(noAction.statusCode).toBe(400);
    expect(noAction.json().action).toEqual(["Please specify a correct 'action' for the request"]);
    const withId = await alice.call({
      method: 'PATCH',
      url: `${url}?action=create`,
      payload: { shapes: [{ ...shape, id: 5 }] },
    });
    expect(withId.json()).toEqual({ 'shapes.0.id': ['must be absent'] });
    const noId = await alice.call({
      method: 'PATCH',
      url: `${url}?action=update`,
      payload: { shapes: [shape] },
    });
    expect(noId.json()).toEqual({ 'shapes.0.id': ['must be present and not null'] });
    const unknownId = await alice.call({
      method: 'PATCH',
      url: `${url}?action=update`,
      payload: { shapes: [{ ...shape, id: 99999 }] },
    });
    expect(unknownId.statusCode).toBe(400);
  });

  it('a bad object anywhere fails the whole PUT: nothing is half-written', async () => {
    const { task, labels } = await taskWithData(2);
    const data = sampleAnnotations(labels);
    await alice.call({ method: 'PUT', url: `/api/tasks/${task.id}/annotations`, payload: data });
    const before = (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/annotations` })).json();
    const many = Array.from({ length: 6000 }, () => data.shapes[0]);
    const badPoints = await alice.call({
      method: 'PUT',
      url: `/api/tasks/${task.id}/annotations`,
      payload: { shapes: [...many, { ...data.shapes[0], points: 'x' }] },
    });
    expect(badPoints.statusCode).toBe(413);
    const badShape = await alice.call({
      method: 'PUT',
      url: `/api/tasks/${task.id}/annotations`,
      payload: { shapes: [...many.slice(0, 1000), { ...data.shapes[0], points: 'x' }] },
    });
    expect(badShape.statusCode).toBe(400);
    expect(badShape.json()).toHaveProperty(['shapes.1000.points']);
    const badLabel = await alice.call({
      method: 'PUT',
      url: `/api/tasks/${task.id}/annotations`,
      payload: { shapes: [...many.slice(0, 1000), { ...data.shapes[0], label_id: 999999 }] },
    });
    expect(badLabel.statusCode).toBe(400);
    expect(badLabel.json().code).toBe('CATALOG_ANNOTATION_INVALID');
    const badFrame = await alice.call({
      method: 'PUT',
      url: `/api/tasks/${task.id}/annotations`,
      payload: { tags: [{ ...data.tags[0], frame: 50 }] },
    });
    expect(badFrame.statusCode).toBe(400);
    expect((await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/annotations` })).json()).toEqual(
      before,
    );
  });

  it('refuses malformed JSON, a non-object body, an oversized object and audio intervals', async () => {
    const { task } = await taskWithData(1);
    const url = `/api/tasks/${task.id}/annotations`;
    const send = (payload: string) =>
      alice.call({ method: 'PUT', url, payload, headers: { 'content-type': 'application/json' } });
    for (const body of ['{"shapes":[', '[1,2]', '{"shapes":{}}', '{"shapes":[{]}', '', '{"version":0} x']) {
      const res = await send(body);
      expect(res.statusCode, body).toBe(400);
      expect(res.json().code, body).toBe('API_ANNOTATIONS_MALFORMED');
    }
    const huge = await send(JSON.stringify({ shapes: [{ label_id: 1, points: Array(5000).fill(1.5) }] }));
    expect(huge.statusCode).toBe(400);
    expect(huge.json().detail).toContain('larger than 8192 bytes');
    const intervals = await send(JSON.stringify({ intervals: [{ start: 0 }] }));
    expect(intervals.statusCode).toBe(400);
    const format = await alice.call({ method: 'PUT', url: `${url}?format=CVAT`, payload: {} });
    expect(format.statusCode).toBe(400);
  });

  it('answers 400 for a task without data and 404 for unknown tasks and jobs', async () => {
    const task = (
      await alice.call({ method: 'POST', url: '/api/tasks', payload: { name: 'x', labels: [{ name: 'a' }] } })
    ).json();
    expect((await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/annotations` })).statusCode).toBe(
      400,
    );
    expect((await alice.call({ method: 'GET', url: '/api/tasks/999999/annotations' })).statusCode).toBe(404);
    expect(
      (await alice.call({ method: 'PUT', url: '/api/jobs/999999/annotations', payload: {} })).statusCode,
    ).toBe(404);
  });
});
