/**
 * The system as a deployment runs it, for end-to-end tests: the built API process and a built worker
 * process on a database, a data root and a queue prefix of their own, sharing one SECRET_KEY. The
 * API's first administrator is `root` / `root-pass-1`.
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
import { WorkerProcess } from '../backup/worker-process.js';
import { ApiProcess } from './api-process.js';

export const ROOT_LOGIN = { username: 'root', password: 'root-pass-1' } as const;

export interface BuiltSystem {
  api: ApiProcess;
  worker: WorkerProcess;
  db: TestDatabase;
  dataRoot: string;
  prefix: string;
  stop(): Promise<void>;
}

export async function startBuiltSystem(
  name: string,
  options: { workerEnv?: Record<string, string> } = {},
): Promise<BuiltSystem> {
  const prefix = uniqueName(name);
  const db = await createTestDatabase();
  const dataRoot = await mkdtemp(path.join(tmpdir(), `cvb-e2e-${name}-`));
  const env = {
    DATA_ROOT: dataRoot,
    REDIS_URL: testServices().redisUrl,
    DATABASE_URL: db.url,
    SECRET_KEY: `e2e-${name}-secret-0123456789`,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'info',
  };
  const api = new ApiProcess({
    ...env,
    ADMIN_USERNAME: ROOT_LOGIN.username,
    ADMIN_PASSWORD: ROOT_LOGIN.password,
  });
  const worker = new WorkerProcess({ ...env, ...options.workerEnv });
  const stop = async () => {
    await api.stop();
    await worker.stop();
    await deleteRedisKeys(prefix);
    await db.drop();
    await rm(dataRoot, { recursive: true, force: true });
  };
  try {
    await Promise.all([api.start(), worker.start()]);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return { api, worker, db, dataRoot, prefix, stop };
}
