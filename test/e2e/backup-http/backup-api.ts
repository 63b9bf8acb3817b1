/**
 * The backup HTTP API as a deployment runs it, for end-to-end tests: the API built in-process on a
 * database of its own, listening on a free port, its backup services on the layout a real worker
 * process shares (one DATA_ROOT, one queue prefix, one SECRET_KEY), and a client that speaks HTTP.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cloudStorageConfig } from '@cvat-backup/backup';
import { deriveCredentialsKey, migrate, PgCatalog } from '@cvat-backup/catalog';
import { createLogger } from '@cvat-backup/common';
import { createDriver, LocalDriver } from '@cvat-backup/storage';
import {
  createTestDatabase,
  deleteRedisKeys,
  type TestDatabase,
  testServices,
  uniqueName,
} from '@cvat-backup/testkit';
import pg from 'pg';
import { buildApp } from '../../../apps/api/src/app.js';
import { openBackupServices } from '../../../apps/api/src/backup/backup-services.js';
import { DEFAULT_LIMITS } from '../../../apps/api/src/http/api-services.js';
import { WorkerProcess } from '../backup/worker-process.js';

const SECRET_KEY = 'e2e-backup-http-secret-0123456789';

export interface HttpUser {
  id: number;
  token: string;
  /** `fetch` against the API with this user's token; `path` may carry a query string. */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

export interface BackupApi {
  base: string;
  app: Awaited<ReturnType<typeof buildApp>>;
  catalog: PgCatalog;
  dataRoot: string;
  worker: WorkerProcess;
  user(): Promise<HttpUser>;
  close(): Promise<void>;
}

let seq = 0;

export async function openBackupApi(
  options: {
    resultTtlSeconds?: number;
    /** More worker settings, given the API's URL (e.g. `PUBLIC_URL`). */
    workerEnv?: (base: string) => NodeJS.ProcessEnv;
  } = {},
): Promise<BackupApi> {
  const db: TestDatabase = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 8 });
  pool.on('error', () => {});
  await migrate(pool);
  const catalog = new PgCatalog(pool, { credentialsKey: deriveCredentialsKey(SECRET_KEY) });
  const dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-e2e-http-'));
  const mediaRoot = path.join(dataRoot, 'media');
  await mkdir(mediaRoot, { recursive: true });
  const queuePrefix = uniqueName('http');
  const backup = await openBackupServices({
    redisUrl: testServices().redisUrl,
    queuePrefix,
    dataRoot,
    resultTtlSeconds: options.resultTtlSeconds ?? 3600,
    failureTtlSeconds: 3600,
    uploadLimitBytes: 256 * 1024 ** 2,
  });
  const app = await buildApp({
    logger: createLogger({ level: 'silent' }),
    checks: {},
    api: {
      catalog,
      localMedia: new LocalDriver({ kind: 'local', root: mediaRoot }),
      openCloudStorage: (access) => createDriver(cloudStorageConfig(access)),
      registrationEnabled: true,
      limits: DEFAULT_LIMITS,
      backup,
    },
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const worker = new WorkerProcess({
    DATA_ROOT: dataRoot,
    REDIS_URL: testServices().redisUrl,
    DATABASE_URL: db.url,
    SECRET_KEY,
    QUEUE_PREFIX: queuePrefix,
    JOB_LOCK_MS: '2000',
    STALLED_CHECK_MS: '1000',
    // The worker announces itself at info level.
    LOG_LEVEL: 'info',
    ...options.workerEnv?.(base),
  });
  return {
    base,
    app,
    catalog,
    dataRoot,
    worker,
    async user() {
      const created = await catalog.users.create({
        username: `http${++seq}${Date.now()}`,
        password: 'secret-pass-1',
      });
      const token = await catalog.users.issueToken(created.id);
      return {
        id: created.id,
        token,
        call: (p, init = {}) => {
          const { json, ...rest } = init;
          const headers = new Headers(rest.headers);
          headers.set('authorization', `Token ${token}`);
          if (json !== undefined) headers.set('content-type', 'application/json');
          return fetch(new URL(p, base), {
            ...rest,
            headers,
            ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
          });
        },
      };
    },
    async close() {
      await worker.stop();
      await app.close();
      await backup.close();
      await pool.end();
      await db.drop();
      await deleteRedisKeys(queuePrefix);
      await rm(dataRoot, { recursive: true, force: true });
    },
  };
}

/** Polls every 100 ms until `done` returns a value (or 60 s pass). */
export async function until<T>(what: string, done: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await done();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `GET /api/requests/{id}` until the request finished or failed; returns the request object. */
export async function settled(user: HttpUser, rqId: string): Promise<Record<string, unknown>> {
  return until(`request ${rqId}`, async () => {
    const res = await user.call(`/api/requests/${encodeURIComponent(rqId)}`);
    if (res.status !== 200) throw new Error(`GET /api/requests: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as Record<string, unknown>;
    return body.status === 'finished' || body.status === 'failed' ? body : undefined;
  });
}

/** A multipart body with one file field (and plain fields). */
export function fileForm(
  field: string,
  content: Buffer,
  name = 'backup.zip',
  fields: Record<string, string> = {},
): globalThis.FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set(field, new Blob([content]), name);
  return form;
}
