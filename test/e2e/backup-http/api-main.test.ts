/**
 * The built API process (`apps/api/dist/main.js`, wired by its main.ts and config) and a built worker
 * process sharing DATA_ROOT, the queue prefix and SECRET_KEY as a deployment does: a backup made
 * through one restores through the other.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  deleteRedisKeys,
  freePort,
  type TestDatabase,
  testServices,
  uniqueName,
} from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerProcess } from '../backup/worker-process.js';
import { fileForm, type HttpUser, settled } from './backup-api.js';
import { createLocalTask, expectSameTask, json } from './task-backup.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('the built API and worker processes', () => {
  const prefix = uniqueName('main');
  let db: TestDatabase;
  let dataRoot: string;
  let api: ChildProcess;
  let worker: WorkerProcess;
  let base: string;
  let admin: HttpUser;
  let output = '';

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'apps/api/dist/main.js')))
      throw new Error('apps/api is not built: run `pnpm --filter @cvat-backup/api build`');
    db = await createTestDatabase();
    dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-e2e-main-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      DATA_ROOT: dataRoot,
      REDIS_URL: testServices().redisUrl,
      DATABASE_URL: db.url,
      SECRET_KEY: 'e2e-main-secret-0123456789',
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
    };
    api = spawn(process.execPath, [path.join(root, 'apps/api/dist/main.js')], {
      env: {
        ...process.env,
        ...env,
        HOST: '127.0.0.1',
        PORT: String(port),
        ADMIN_USERNAME: 'root',
        ADMIN_PASSWORD: 'root-pass-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout?.on('data', (c) => (output += c));
    api.stderr?.on('data', (c) => (output += c));
    worker = new WorkerProcess({ ...env, JOB_LOCK_MS: '2000', STALLED_CHECK_MS: '1000' });
    await worker.start();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (api.exitCode !== null || Date.now() > deadline)
        throw new Error(`the API did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: 'root-pass-1' }),
    });
    const { key } = (await json(login, 200)) as { key: string };
    admin = {
      id: 0,
      token: key,
      call: (p, init = {}) => {
        const { json: body, ...rest } = init;
        const headers = new Headers(rest.headers);
        headers.set('authorization', `Token ${key}`);
        if (body !== undefined) headers.set('content-type', 'application/json');
        return fetch(new URL(p, base), {
          ...rest,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      },
    };
  });

  afterAll(async () => {
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api.once('exit', r));
      api.kill('SIGTERM');
      await exited;
    }
    await worker?.stop();
    await deleteRedisKeys(prefix);
    await db?.drop();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  it('backs up a task through the API process and restores it', async () => {
    const task = await createLocalTask(admin, 'through main');
    const { rq_id } = await json(
      await admin.call(`/api/tasks/${task}/backup/export`, { method: 'POST' }),
      202,
    );
    const request = await settled(admin, rq_id as string);
    expect(request.status, String(request.message)).toBe('finished');
    const res = await admin.call(request.result_url as string);
    expect(res.status).toBe(200);
    const archive = Buffer.from(await res.arrayBuffer());
    const started = await json(
      await admin.call('/api/tasks/backup', { method: 'POST', body: fileForm('task_file', archive) }),
      202,
    );
    const restore = await settled(admin, started.rq_id as string);
    expect(restore.status, String(restore.message)).toBe('finished');
    await expectSameTask(admin, task, restore.result_id as number);
  });
});
