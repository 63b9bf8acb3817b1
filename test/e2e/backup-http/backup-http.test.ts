/**
 * CVAT's backup and restore protocols end to end: HTTP requests to a listening API, jobs done by a
 * real worker process. Requests that must stay queued (dedupe, cancel) run before the worker starts.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackupApi, fileForm, type HttpUser, openBackupApi, settled, until } from './backup-api.js';
import { createLocalTask, expectSameTask, json } from './task-backup.js';

describe('backup and restore over HTTP with a real worker', () => {
  let api: BackupApi;
  let alice: HttpUser;
  let bob: HttpUser;
  let task: number;
  let project: number;
  let taskArchive: Buffer;

  beforeAll(async () => {
    api = await openBackupApi();
    alice = await api.user();
    bob = await api.user();
    task = await createLocalTask(alice, 'e2e task');
    project = (
      await json(
        await alice.call('/api/projects', {
          method: 'POST',
          json: { name: 'e2e project', labels: [{ name: 'car' }] },
        }),
        201,
      )
    ).id as number;
    await createLocalTask(alice, 'in project', project);
  });
  afterAll(async () => api?.close());

  const download = async (user: HttpUser, url: string) => {
    const res = await user.call(url);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.status, body.toString('utf8', 0, 300)).toBe(200);
    return { body, disposition: res.headers.get('content-disposition') ?? '' };
  };

  it('dedupes an identical export in flight (409, same rq_id) and cancels a queued one', async () => {
    const url = `/api/tasks/${task}/backup/export`;
    const first = await json(await alice.call(url, { method: 'POST' }), 202);
    expect(await json(await alice.call(url, { method: 'POST' }), 409)).toEqual(first);
    const legacy = await json(await alice.call(`/api/tasks/${task}/backup`), 202);
    expect(legacy).toEqual(first);
    const cancel = await alice.call(`/api/requests/${encodeURIComponent(first.rq_id as string)}/cancel`, {
      method: 'POST',
    });
    expect(cancel.status).toBe(200);
    expect((await alice.call(`/api/requests/${encodeURIComponent(first.rq_id as string)}`)).status).toBe(404);
    await api.worker.start();
  });

  it('backs up a task with the legacy GET (202 → 201 → download) and restores it with a multipart upload and legacy polling', async () => {
    const url = `/api/tasks/${task}/backup`;
    expect((await alice.call(url)).status).toBe(202);
    await until('legacy export', async () => ((await alice.call(url)).status === 201 ? true : undefined));
    const { body, disposition } = await download(alice, `${url}?action=download`);
    expect(disposition).toMatch(
      /^attachment; filename="task_e2e task_backup_\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.zip"/,
    );
    expect(body.subarray(0, 2).toString()).toBe('PK');
    taskArchive = body;

    const started = await json(
      await alice.call('/api/tasks/backup', { method: 'POST', body: fileForm('task_file', body) }),
      202,
    );
    // cvat-core polls with the id as a form field of the same POST.
    const restored = await until('legacy import', async () => {
      const form = new FormData();
      form.set('rq_id', started.rq_id as string);
      const res = await alice.call('/api/tasks/backup', { method: 'POST', body: form });
      return res.status === 202 ? undefined : json(res, 201);
    });
    await expectSameTask(alice, task, restored.id as number);
  });

  it('backs up with the requests API, downloads result_url, restores by TUS in chunks with a HEAD resume', async () => {
    const { rq_id } = await json(
      await alice.call(`/api/tasks/${task}/backup/export?filename=custom name`, { method: 'POST' }),
      202,
    );
    const request = await settled(alice, rq_id as string);
    expect(request).toMatchObject({
      status: 'finished',
      progress: 1,
      operation: { type: 'export:backup', task_id: task },
    });
    expect(request.result_url).toBe(
      `${api.base}/api/tasks/${task}/backup/download?rq_id=${encodeURIComponent(rq_id as string)}`,
    );
    const { body, disposition } = await download(alice, request.result_url as string);
    expect(disposition).toContain('filename="custom name.zip"');
    expect((await bob.call(request.result_url as string)).status).toBe(404);
    // As CVAT: the request exists but is alice's, so 403 (its download stays 404 above).
    expect((await bob.call(`/api/requests/${encodeURIComponent(rq_id as string)}`)).status).toBe(403);

    expect(
      (
        await alice.call('/api/tasks/backup?filename=custom.zip', {
          method: 'POST',
          headers: { 'upload-start': '' },
        })
      ).status,
    ).toBe(202);
    const created = await alice.call('/api/tasks/backup/', {
      method: 'POST',
      headers: {
        'tus-resumable': '1.0.0',
        'upload-length': String(body.length),
        'upload-metadata': `filename ${Buffer.from('custom.zip').toString('base64')}`,
      },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    const fileId = created.headers.get('upload-filename')!;
    const patch = (from: number, to: number) =>
      alice.call(location, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          'upload-offset': String(from),
          'content-type': 'application/offset+octet-stream',
        },
        body: body.subarray(from, to),
      });
    const third = Math.ceil(body.length / 3);
    expect((await patch(0, third)).status).toBe(204);
    expect((await patch(third, 2 * third)).status).toBe(204);
    // A client that lost track of the offset asks with HEAD and resumes from there.
    const head = await alice.call(location, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBe(2 * third);
    expect((await patch(offset, body.length)).headers.get('upload-offset')).toBe(String(body.length));
    const finish = await json(
      await alice.call(`/api/tasks/backup?filename=${fileId}`, {
        method: 'POST',
        headers: { 'upload-finish': '' },
      }),
      202,
    );
    const restore = await settled(alice, finish.rq_id as string);
    expect(restore).toMatchObject({
      status: 'finished',
      operation: { type: 'import:backup', target: 'task' },
      result_url: null,
    });
    await expectSameTask(alice, task, restore.result_id as number);
  });

  it('backs up a project with the legacy GET and restores it with legacy polling', async () => {
    const url = `/api/projects/${project}/backup`;
    expect((await alice.call(url)).status).toBe(202);
    await until('legacy project export', async () =>
      (await alice.call(url)).status === 201 ? true : undefined,
    );
    const { body, disposition } = await download(alice, `${url}?action=download`);
    expect(disposition).toContain('filename="project_e2e project_backup_');
    const started = await json(
      await alice.call('/api/projects/backup', { method: 'POST', body: fileForm('project_file', body) }),
      202,
    );
    const restored = await until('legacy project import', async () => {
      const res = await alice.call(
        `/api/projects/backup?rq_id=${encodeURIComponent(started.rq_id as string)}`,
        { method: 'POST' },
      );
      return res.status === 202 ? undefined : json(res, 201);
    });
    const copy = await json(await alice.call(`/api/projects/${restored.id}`), 200);
    expect(copy.name).toBe('e2e project');
  });

  it('backs up and restores a project through the requests API', async () => {
    const { rq_id } = await json(
      await alice.call(`/api/projects/${project}/backup/export`, { method: 'POST' }),
      202,
    );
    const request = await settled(alice, rq_id as string);
    const { body } = await download(alice, request.result_url as string);
    const started = await json(
      await alice.call('/api/projects/backup', { method: 'POST', body: fileForm('project_file', body) }),
      202,
    );
    const restore = await settled(alice, started.rq_id as string);
    expect(restore.status).toBe('finished');
    const restored = await json(await alice.call(`/api/projects/${restore.result_id}`), 200);
    expect(restored.name).toBe('e2e project');
    const tasks = await json(await alice.call(`/api/tasks?project_id=${restore.result_id}`), 200);
    expect(tasks.count).toBe(1);
  });

  it('restores a task into an existing project (project_id)', async () => {
    const target = (
      await json(
        await alice.call('/api/projects', {
          method: 'POST',
          json: { name: 'target', labels: [{ name: 'car' }] },
        }),
        201,
      )
    ).id;
    const started = await json(
      await alice.call(`/api/tasks/backup?project_id=${target}`, {
        method: 'POST',
        body: fileForm('task_file', taskArchive),
      }),
      202,
    );
    const restore = await settled(alice, started.rq_id as string);
    const restored = await json(await alice.call(`/api/tasks/${restore.result_id}`), 200);
    expect(restored.project_id).toBe(target);
  });

  it('reports a failed restore with its code: requests API and legacy poll', async () => {
    const started = await json(
      await alice.call('/api/tasks/backup', {
        method: 'POST',
        body: fileForm('task_file', Buffer.from('not a zip at all')),
      }),
      202,
    );
    const request = await settled(alice, started.rq_id as string);
    expect(request.status).toBe('failed');
    expect(request.message).toMatch(/^[A-Z_]+: /);
    const form = new FormData();
    form.set('rq_id', started.rq_id as string);
    const legacy = await alice.call('/api/tasks/backup', { method: 'POST', body: form });
    expect(legacy.status).toBeGreaterThanOrEqual(400);
    expect(((await legacy.json()) as { code: string }).code).toBe((request.message as string).split(':')[0]);
  });

  it('answers 404 "expired" for a result whose archive is gone', async () => {
    const { rq_id } = await json(
      await alice.call(`/api/tasks/${task}/backup/export`, { method: 'POST' }),
      202,
    );
    const request = await settled(alice, rq_id as string);
    const archives = path.join(api.dataRoot, 'archives');
    for (const entry of await readdir(archives)) await rm(path.join(archives, entry), { recursive: true });
    const res = await alice.call(request.result_url as string);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toBe(
      'The exported file has expired, please retry exporting',
    );
  });
});
