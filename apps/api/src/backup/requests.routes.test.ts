import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { QUEUE_NAMES } from '@cvat-backup/queue';
import { testServices } from '@cvat-backup/testkit';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';
import { png } from '../../test/test-images.js';

function zipForm(): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----cvb${randomBytes(8).toString('hex')}`;
  return {
    payload: Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="task_file"; filename="b.zip"\r\n\r\nzip\r\n--${boundary}--\r\n`,
    ),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** `/api/requests` over the real queues; no backup worker runs, so requests stay queued. */
describe('requests API', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  let task: number;
  let exportId: string;
  let importId: string;

  beforeAll(async () => {
    api = await openTestApi();
    alice = await api.user();
    bob = await api.user();
    admin = await api.user({ admin: true });
    const created = await alice.call({
      method: 'POST',
      url: '/api/tasks',
      payload: { name: 't', labels: [{ name: 'a' }] },
    });
    task = created.json().id;
    const upload = multipartBody([{ name: 'a.png', content: png(4, 4) }], { image_quality: '70' });
    await alice.call({ method: 'POST', url: `/api/tasks/${task}/data`, ...upload });
    exportId = (await alice.call({ method: 'POST', url: `/api/tasks/${task}/backup/export` })).json().rq_id;
    importId = (await alice.call({ method: 'POST', url: '/api/tasks/backup', ...zipForm() })).json().rq_id;
  });
  afterAll(async () => api?.close());

  const get = (user: TestUser, rqId: string) =>
    user.call({ method: 'GET', url: `/api/requests/${encodeURIComponent(rqId)}` });

  it('shows a queued request to its owner and to an admin, 403 to anyone else, 404 for an unknown id', async () => {
    const res = await get(alice, exportId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'queued',
      message: '',
      id: exportId,
      operation: {
        type: 'export:backup',
        target: 'task',
        task_id: task,
        project_id: null,
        lightweight: null,
      },
      progress: 0,
      started_date: null,
      finished_date: null,
      expiry_date: null,
      owner: { id: alice.id, username: alice.username },
      result_url: null,
      result_id: null,
    });
    expect((await get(admin, exportId)).statusCode).toBe(200);
    // CVAT's check_object_permissions: the request exists but is someone else's.
    const foreign = await get(bob, exportId);
    expect([foreign.statusCode, foreign.json()]).toEqual([
      403,
      { code: 'FORBIDDEN', detail: 'You do not have permission to perform this action.' },
    ]);
    const unknown = await get(
      alice,
      'action=export&target=task&target_id=999999&user_id=1&subresource=backup',
    );
    expect([unknown.statusCode, unknown.json().detail]).toEqual([
      404,
      'There is no request with specified id',
    ]);
  });

  it('serves the id POST /api/tasks/{id}/data answers as CVAT’s finished create:task request', async () => {
    const created = await alice.call({
      method: 'POST',
      url: '/api/tasks',
      payload: { name: 'created', labels: [{ name: 'a' }] },
    });
    const id = created.json().id as number;
    const creationId = `create:task-${id}`;
    // Before the data is attached there is no such request.
    expect((await get(alice, creationId)).statusCode).toBe(404);
    const upload = multipartBody([{ name: 'a.png', content: png(4, 4) }], { image_quality: '70' });
    const data = await alice.call({ method: 'POST', url: `/api/tasks/${id}/data`, ...upload });
    expect([data.statusCode, data.json()]).toEqual([202, { rq_id: creationId }]);
    const res = await get(alice, creationId);
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    expect(view).toMatchObject({
      status: 'finished',
      message: '',
      id: creationId,
      operation: { type: 'create:task', target: 'task', task_id: id, project_id: null, job_id: null },
      progress: 1,
      owner: { id: alice.id, username: alice.username },
      result_url: null,
      result_id: null,
    });
    expect(view.finished_date).not.toBeNull();
    expect(res.headers['cache-control']).toContain('no-store');
    // Someone who cannot see the task, and ids of no task, find nothing.
    for (const [user, rqId] of [
      [bob, creationId],
      [alice, 'create:task-999999'],
      [alice, `create:task-0${id}`],
    ] as const)
      expect((await get(user, rqId)).statusCode, rqId).toBe(404);
    expect((await get(admin, creationId)).statusCode).toBe(200);
  });

  it('sends Django’s never_cache headers on the list and on one request, errors included', async () => {
    const noCache = 'max-age=0, no-cache, no-store, must-revalidate, private';
    const responses = [
      await alice.call({ method: 'GET', url: '/api/requests' }),
      await get(alice, exportId),
      await get(bob, exportId),
      await get(alice, 'action=export&target=task&target_id=999999&user_id=1&subresource=backup'),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 403, 404]);
    for (const res of responses) {
      expect(res.headers['cache-control']).toBe(noCache);
      expect(Date.parse(String(res.headers.expires))).toBeLessThanOrEqual(Date.now());
    }
  });

  it('lists only the caller’s requests of both queues, with filters, sort and pages', async () => {
    const list = async (user: TestUser, query: Record<string, string> = {}) => {
      const res = await user.call({ method: 'GET', url: '/api/requests', query });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const mine = await list(alice);
    expect(mine.count).toBe(2);
    expect(mine.results.map((r: { id: string }) => r.id)).toEqual([importId, exportId]);
    expect((await list(alice, { sort: 'created_date' })).results[0].id).toBe(exportId);
    expect((await list(alice, { action: 'import' })).results.map((r: { id: string }) => r.id)).toEqual([
      importId,
    ]);
    expect((await list(alice, { task_id: String(task), status: 'queued' })).count).toBe(1);
    expect(
      (await list(alice, { filter: JSON.stringify({ '==': [{ var: 'target' }, 'project'] }) })).count,
    ).toBe(0);
    const paged = await list(alice, { page_size: '1', page: '2' });
    expect([paged.count, paged.results.length, paged.next, paged.previous === null]).toEqual([
      2,
      1,
      null,
      false,
    ]);
    expect((await list(bob)).count).toBe(0);
    expect(
      (await alice.call({ method: 'GET', url: '/api/requests', query: { sort: 'owner' } })).statusCode,
    ).toBe(400);
  });

  it('cancels a queued import (its staged upload goes too); then it is gone', async () => {
    const rqId = (await alice.call({ method: 'POST', url: '/api/tasks/backup', ...zipForm() })).json().rq_id;
    const key = (await api.services.backup!.producer.imports.getJob(rqId))!.data.source.key;
    const file = path.join(api.dataRoot, 'staging', key);
    await access(file);
    const cancel = (user: TestUser) =>
      user.call({ method: 'POST', url: `/api/requests/${encodeURIComponent(rqId)}/cancel` });
    expect((await cancel(bob)).statusCode).toBe(403);
    expect((await get(alice, rqId)).json().status).toBe('queued');
    expect((await cancel(alice)).statusCode).toBe(200);
    expect((await get(alice, rqId)).statusCode).toBe(404);
    await expect(access(file)).rejects.toThrow();
    expect((await cancel(alice)).statusCode).toBe(404);
  });

  it('refuses to cancel a started request, and shows it as started with its phase', async () => {
    const other = await alice.call({
      method: 'POST',
      url: '/api/projects',
      payload: { name: 'p', labels: [{ name: 'a' }] },
    });
    const rqId = (
      await alice.call({ method: 'POST', url: `/api/projects/${other.json().id}/backup/export` })
    ).json().rq_id;
    const connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let taken = () => {};
    const started = new Promise<void>((resolve) => (taken = resolve));
    // Stands in for a worker only to put the job into BullMQ's `active` state; other jobs stay put.
    const worker = new Worker(
      QUEUE_NAMES.export,
      async (job) => {
        if (job.id !== rqId) throw new Error('not this test');
        await job.updateProgress({ phase: 'writing-media', bytes: 1, totalBytes: 4, entries: 1 });
        taken();
        await held;
        return null;
      },
      { connection, prefix: api.queuePrefix, concurrency: 5 },
    );
    try {
      await started;
      const view = (await get(alice, rqId)).json();
      expect(view).toMatchObject({ status: 'started', message: 'writing-media', progress: 0.25 });
      expect(view.started_date).not.toBeNull();
      const res = await alice.call({
        method: 'POST',
        url: `/api/requests/${encodeURIComponent(rqId)}/cancel`,
      });
      expect([res.statusCode, res.json().detail]).toEqual([
        400,
        'Only requests that have not yet been started can be cancelled',
      ]);
    } finally {
      release();
      await worker.close();
      connection.disconnect();
    }
  });
});
