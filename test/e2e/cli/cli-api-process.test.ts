/**
 * The CLI against the built API process (`apps/api/dist/main.js`, as `pnpm start` runs it) and a
 * built worker process: the admin logs in with the password the API was started with, then backs up
 * a task, verifies the archive and restores it, every answer as strict --json.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTestDatabase,
  deleteRedisKeys,
  type TestDatabase,
  testServices,
  uniqueName,
} from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerProcess } from '../backup/worker-process.js';
import { createLocalTask, expectSameTask } from '../backup-http/task-backup.js';
import { ApiProcess } from '../ops/api-process.js';
import { type CliHome, cliHome } from './cli-runner.js';

describe('cvat-backup against the built API process', () => {
  const prefix = uniqueName('cli-main');
  let db: TestDatabase;
  let dataRoot: string;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let home: CliHome;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-e2e-cli-main-'));
    const env = {
      DATA_ROOT: dataRoot,
      REDIS_URL: testServices().redisUrl,
      DATABASE_URL: db.url,
      SECRET_KEY: 'e2e-cli-main-secret-0123456789',
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
    };
    api = new ApiProcess({ ...env, ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'root-pass-1' });
    worker = new WorkerProcess(env);
    await Promise.all([api.start(), worker.start()]);
    home = await cliHome({ CVAT_BACKUP_SERVER: api.base });
  });

  afterAll(async () => {
    await home?.close();
    await api?.stop();
    await worker?.stop();
    await deleteRedisKeys(prefix);
    await db?.drop();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  it('logs in, backs up a task, verifies the archive and restores it', async () => {
    const login = await home.json(['login', '-u', 'root', '--password-stdin'], 0, { input: 'root-pass-1\n' });
    expect(login).toMatchObject({ server: api.base, username: 'root' });
    const root = await api.login('root', 'root-pass-1');
    const task = await createLocalTask(root, 'through the built api');
    const archive = path.join(home.dir, 'main.zip');
    expect(await home.json(['task', 'backup', String(task), '--out', archive])).toMatchObject({
      file: archive,
    });
    expect(await home.json(['verify', archive, '--kind', 'task'])).toMatchObject({
      valid: true,
      kind: 'task',
    });
    const restored = await home.json(['task', 'restore', archive]);
    await expectSameTask(root, task, restored.id as number);
  });
});
