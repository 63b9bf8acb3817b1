import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';
import { gif, jpeg, png } from '../../test/test-images.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('tasks, task data, frames and jobs', () => {
  let api: TestApi;
  let alice: TestUser;
  beforeAll(async () => {
    api = await openTestApi({ limits: { uploadBytes: 64 * 1024 } });
    alice = await api.user();
  });
  afterAll(async () => api?.close());

  const newTask = async (payload: object = {}) => {
    const res = await alice.call({
      method: 'POST',
      url: '/api/tasks',
      payload: { name: 'task', labels: [{ name: 'car', attributes: [] }], ...payload },
    });
    expect(res.statusCode).toBe(201);
    return res.json();
  };

  it('creates a task in CVAT’s shape without data keys before data', async () => {
    const task = await newTask({ segment_size: 2, subset: 'train' });
    expect(task).toMatchObject({
      url: `http://localhost/api/tasks/${task.id}`,
      name: 'task',
      project_id: null,
      owner: { id: alice.id },
      segment_size: 2,
      subset: 'train',
      size: null,
      data: null,
      data_cloud_storage_id: null,
      jobs: { count: 0, url: `http://localhost/api/jobs?task_id=${task.id}` },
    });
    expect(task).not.toHaveProperty('data_chunk_size');
    expect(task).not.toHaveProperty('image_quality');
    const labels = (await alice.call({ method: 'GET', url: `/api/labels?task_id=${task.id}` })).json();
    expect(labels.results[0]).toMatchObject({ name: 'car', task_id: task.id });
  });

  it('refuses labels together with project_id, and neither', async () => {
    const project = (
      await alice.call({ method: 'POST', url: '/api/projects', payload: { name: 'p' } })
    ).json();
    const both = await alice.call({
      method: 'POST',
      url: '/api/tasks',
      payload: { name: 't', project_id: project.id, labels: [{ name: 'x' }] },
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().non_field_errors).toEqual(['Task must have only one of Label set or project_id']);
    const none = await alice.call({ method: 'POST', url: '/api/tasks', payload: { name: 't' } });
    expect(none.statusCode).toBe(400);
    const inProject = await alice.call({
      method: 'POST',
      url: '/api/tasks',
      payload: { name: 't', project_id: project.id },
    });
    expect(inProject.statusCode).toBe(201);
    expect(inProject.json()).toMatchObject({ project_id: project.id, project_name: 'p' });
  });

  it('uploads images: streamed to storage, manifest built, jobs made; data/meta and frames answer', async () => {
    const task = await newTask({ segment_size: 2 });
    const images = [
      { name: 'b.png', content: png(30, 20) },
      { name: 'a.jpg', content: jpeg(640, 480, 2000) },
      { name: 'sub/c.gif', content: gif(7, 9) },
    ];
    const { payload, headers } = multipartBody(images, { image_quality: '70' });
    const res = await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, payload, headers });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toHaveProperty('rq_id');

    const read = (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}` })).json();
    expect(read).toMatchObject({
      size: 3,
      image_quality: 70,
      mode: 'annotation',
      data_chunk_size: 72,
      jobs: { count: 2 },
    });
    expect(read.data_original_chunk_type).toBe('imageset');

    const meta = await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/data/meta` });
    expect(meta.statusCode).toBe(200);
    expect(meta.json()).toMatchObject({
      size: 3,
      image_quality: 70,
      start_frame: 0,
      stop_frame: 2,
      frame_filter: '',
      storage: 'local',
      cloud_storage_id: null,
      deleted_frames: [],
      frames: [
        { name: 'a.jpg', width: 640, height: 480, related_files: 0, has_related_context: false },
        { name: 'b.png', width: 30, height: 20 },
        { name: 'sub/c.gif', width: 7, height: 9 },
      ],
    });

    const frame = await alice.call({
      method: 'GET',
      url: `/api/tasks/${task.id}/data?type=frame&number=1&quality=original`,
    });
    expect(frame.statusCode).toBe(200);
    expect(frame.headers['content-type']).toBe('image/png');
    expect(frame.rawPayload.equals(images[0]!.content)).toBe(true);
    const compressed = await alice.call({
      method: 'GET',
      url: `/api/tasks/${task.id}/data?type=frame&number=0`,
    });
    expect(compressed.headers['content-type']).toBe('image/jpeg');

    const stored = await filesUnder(api.mediaRoot);
    expect(stored.filter((f) => f.endsWith('manifest.jsonl'))).toHaveLength(1);
    const manifestFile = path.join(api.mediaRoot, stored.find((f) => f.endsWith('manifest.jsonl'))!);
    const lines = (await import('node:fs/promises')).readFile(manifestFile, 'utf8');
    const parsed = (await lines)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parsed[0]).toEqual({ version: '1.1' });
    expect(parsed[1]).toEqual({ type: 'images' });
    expect(parsed[2]).toMatchObject({ name: 'a', extension: '.jpg', width: 640, height: 480 });
    expect(parsed[2].checksum).toMatch(/^[0-9a-f]{32}$/);

    const jobs = (await alice.call({ method: 'GET', url: `/api/jobs?task_id=${task.id}&sort=id` })).json();
    expect(jobs.count).toBe(2);
    expect(
      jobs.results.map((j: { start_frame: number; stop_frame: number }) => [j.start_frame, j.stop_frame]),
    ).toEqual([
      [0, 1],
      [2, 2],
    ]);
    const job = jobs.results[0];
    expect(job).toMatchObject({
      task_id: task.id,
      type: 'annotation',
      stage: 'annotation',
      state: 'new',
      frame_count: 2,
    });
    const patched = await alice.call({
      method: 'PATCH',
      url: `/api/jobs/${job.id}`,
      payload: { stage: 'acceptance', state: 'completed' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ stage: 'acceptance', state: 'completed', status: 'completed' });
    const badPatch = await alice.call({
      method: 'PATCH',
      url: `/api/jobs/${job.id}`,
      payload: { state: 'done' },
    });
    expect(badPatch.statusCode).toBe(400);
    expect(badPatch.json()).toHaveProperty('state');

    const lastJob = jobs.results[1];
    const jobMeta = (await alice.call({ method: 'GET', url: `/api/jobs/${lastJob.id}/data/meta` })).json();
    expect(jobMeta).toMatchObject({ size: 1, start_frame: 2, stop_frame: 2, included_frames: null });
    expect(jobMeta.frames.map((f: { name: string }) => f.name)).toEqual(['sub/c.gif']);
    const jobFrame = await alice.call({
      method: 'GET',
      url: `/api/jobs/${lastJob.id}/data?type=frame&number=2&quality=original`,
    });
    expect(jobFrame.statusCode).toBe(200);
    expect(jobFrame.rawPayload.equals(images[2]!.content)).toBe(true);
    const notInJob = await alice.call({
      method: 'GET',
      url: `/api/jobs/${lastJob.id}/data?type=frame&number=0`,
    });
    expect(notInJob.statusCode).toBe(400);
    expect(notInJob.json().code).toBe('API_FRAME_OUT_OF_RANGE');

    const again = multipartBody([{ name: 'x.png', content: png(1, 1) }], { image_quality: '70' });
    const second = await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, ...again });
    expect(second.statusCode).toBe(400);
    expect(second.json().detail).toContain('Adding more data is not supported');

    expect((await alice.call({ method: 'DELETE', url: `/api/tasks/${task.id}` })).statusCode).toBe(204);
    expect(await filesUnder(path.join(api.mediaRoot, 'tasks', String(task.id)))).toEqual([]);
  });

  it('applies sorting, start/stop and step', async () => {
    const task = await newTask();
    const files = ['f10.png', 'f2.png', 'f1.png', 'f3.png'].map((name) => ({ name, content: png(5, 5) }));
    const { payload, headers } = multipartBody(files, {
      image_quality: '50',
      sorting_method: 'natural',
      start_frame: '1',
      frame_filter: 'step=2',
    });
    expect(
      (await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, payload, headers })).statusCode,
    ).toBe(202);
    const meta = (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/data/meta` })).json();
    expect(meta.frames.map((f: { name: string }) => f.name)).toEqual(['f2.png', 'f10.png']);
    expect(meta).toMatchObject({ size: 2, start_frame: 1, stop_frame: 3, frame_filter: 'step=2' });
  });

  it('takes more than 1,000 files in one upload (multipart counts files and fields as parts)', async () => {
    const task = await newTask();
    const files = Array.from({ length: 1100 }, (_, i) => ({
      name: `many/${String(i).padStart(4, '0')}.png`,
      content: png(1, 1),
    }));
    const { payload, headers } = multipartBody(files, { image_quality: '70' });
    const res = await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, payload, headers });
    expect(res.statusCode).toBe(202);
    expect((await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/data/meta` })).json().size).toBe(
      1100,
    );
  });

  it('answers frame errors: out of range, chunks, bad type, no data', async () => {
    const empty = await newTask();
    const noData = await alice.call({
      method: 'GET',
      url: `/api/tasks/${empty.id}/data?type=frame&number=0`,
    });
    expect(noData.statusCode).toBe(404);
    expect((await alice.call({ method: 'GET', url: `/api/tasks/${empty.id}/data/meta` })).statusCode).toBe(
      404,
    );
    const task = await newTask();
    const { payload, headers } = multipartBody([{ name: 'a.png', content: png(2, 2) }], {
      image_quality: '70',
    });
    await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, payload, headers });
    const out = await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/data?type=frame&number=5` });
    expect(out.statusCode).toBe(400);
    expect(out.json().detail).toBe("Invalid frame '5'. The frame number should be in the [0, 0] range");
    const chunk = await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/data?type=chunk&number=0` });
    expect(chunk.statusCode).toBe(501);
    const badType = await alice.call({
      method: 'GET',
      url: `/api/tasks/${task.id}/data?type=video&number=0`,
    });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().type).toEqual(['Data type not specified or has wrong value']);
    const noNumber = await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/data?type=frame` });
    expect(noNumber.statusCode).toBe(400);
  });

  it('refuses a file that is not an image and leaves nothing behind', async () => {
    const task = await newTask();
    const before = await filesUnder(api.mediaRoot);
    const { payload, headers } = multipartBody(
      [
        { name: 'ok.png', content: png(3, 3) },
        { name: 'notes.txt', content: Buffer.from('not an image at all') },
      ],
      { image_quality: '70' },
    );
    const res = await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, payload, headers });
    expect(res.statusCode).toBe(400);
    expect(res.json().client_files[0]).toContain('notes.txt');
    expect(await filesUnder(api.mediaRoot)).toEqual(before);
    expect((await alice.call({ method: 'GET', url: `/api/tasks/${task.id}` })).json().data).toBeNull();
  });

  it('refuses duplicate file names and files outside client_files, leaving nothing behind', async () => {
    const task = await newTask();
    const before = await filesUnder(api.mediaRoot);
    const dup = multipartBody(
      [
        { name: 'same.png', content: png(2, 2) },
        { name: 'same.png', content: png(3, 3) },
      ],
      { image_quality: '70' },
    );
    const res = await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, ...dup });
    expect(res.statusCode).toBe(400);
    expect(res.json().client_files[0]).toContain('given twice');
    const other = multipartBody([{ name: 'a.png', content: png(2, 2) }], { image_quality: '70' });
    const renamed = other.payload.toString('latin1').replace('name="client_files[0]"', 'name="attachment"');
    const wrongField = await alice.call({
      method: 'POST',
      url: `/api/tasks/${task.id}/data`,
      payload: Buffer.from(renamed, 'latin1'),
      headers: other.headers,
    });
    expect(wrongField.statusCode).toBe(400);
    expect(wrongField.json()).toHaveProperty('attachment');
    expect(await filesUnder(api.mediaRoot)).toEqual(before);
  });

  it('answers 413 past the upload limit and leaves nothing behind', async () => {
    const task = await newTask();
    const before = await filesUnder(api.mediaRoot);
    const big = Buffer.concat([png(100, 100), Buffer.alloc(40 * 1024)]);
    const { payload, headers } = multipartBody(
      [
        { name: 'one.png', content: big },
        { name: 'two.png', content: big },
      ],
      { image_quality: '70' },
    );
    const res = await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, payload, headers });
    expect(res.statusCode).toBe(413);
    expect(await filesUnder(api.mediaRoot)).toEqual(before);
  });

  it('validates data fields (image_quality required, bad frame_filter) and removes the files', async () => {
    const task = await newTask();
    const before = await filesUnder(api.mediaRoot);
    const { payload, headers } = multipartBody([{ name: 'a.png', content: png(2, 2) }], {
      frame_filter: 'every=2',
    });
    const res = await alice.call({ method: 'POST', url: `/api/tasks/${task.id}/data`, payload, headers });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json()).sort()).toEqual(['frame_filter', 'image_quality']);
    expect(await filesUnder(api.mediaRoot)).toEqual(before);
    const json = await alice.call({
      method: 'POST',
      url: `/api/tasks/${task.id}/data`,
      payload: { image_quality: 70, server_files: ['a.png'] },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toHaveProperty('server_files');
    const traversal = await alice.call({
      method: 'POST',
      url: `/api/tasks/${task.id}/data`,
      payload: { image_quality: 70, server_files: ['../etc/passwd'], cloud_storage_id: 1 },
    });
    expect(traversal.statusCode).toBe(400);
    expect(traversal.json()).toHaveProperty('server_files.0');
  });

  it('patches and deletes tasks; unknown ids are 404', async () => {
    const task = await newTask();
    const patched = await alice.call({
      method: 'PATCH',
      url: `/api/tasks/${task.id}`,
      payload: { name: 'renamed', subset: 'val' },
    });
    expect(patched.json()).toMatchObject({ name: 'renamed', subset: 'val' });
    const bad = await alice.call({ method: 'PATCH', url: `/api/tasks/${task.id}`, payload: { name: '' } });
    expect(bad.statusCode).toBe(400);
    expect((await alice.call({ method: 'GET', url: '/api/tasks/987654' })).statusCode).toBe(404);
    expect((await alice.call({ method: 'DELETE', url: `/api/tasks/${task.id}` })).statusCode).toBe(204);
    expect((await alice.call({ method: 'GET', url: `/api/tasks/${task.id}` })).statusCode).toBe(404);
  });
});
