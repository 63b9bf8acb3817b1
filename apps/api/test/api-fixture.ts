import { randomBytes } from 'node:crypto';
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
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { type BackupServicesOptions, openBackupServices } from '../src/backup/backup-services.js';
import { type ApiLimits, type ApiServices, DEFAULT_LIMITS } from '../src/http/api-services.js';
import { openScheduleServices } from '../src/schedules/schedule-services.js';

export interface TestApi {
  app: FastifyInstance;
  catalog: PgCatalog;
  services: ApiServices;
  mediaRoot: string;
  /** DATA_ROOT of the layout shared with a worker: `media/` (= mediaRoot), `archives/`, `staging/`. */
  dataRoot: string;
  /** BullMQ prefix of this API's backup queues (a worker must use the same). */
  queuePrefix: string;
  db: TestDatabase;
  /** Creates a user through the catalog and returns a token for it. */
  user(options?: { admin?: boolean }): Promise<TestUser>;
  close(): Promise<void>;
}

export interface TestUser {
  id: number;
  username: string;
  password: string;
  token: string;
  /** `app.inject` with this user's `Authorization: Token …`. */
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
}

let seq = 0;

/** The API on a migrated database of its own and a temp media directory; `close()` removes both. */
export async function openTestApi(
  options: {
    limits?: Partial<ApiLimits>;
    registrationEnabled?: boolean;
    /** SESSION_COOKIE_AGE_SECONDS (two weeks when absent). */
    sessionAgeSeconds?: number;
    backup?: Partial<
      Pick<BackupServicesOptions, 'resultTtlSeconds' | 'failureTtlSeconds' | 'uploadLimitBytes'>
    >;
    /** Also serve `/api/backup-schedules` (on the same queue prefix and data root). */
    schedules?: boolean;
    /** Encrypt cloud credentials as a worker given this SECRET_KEY would (random key otherwise). */
    secretKey?: string;
  } = {},
): Promise<TestApi> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 8 });
  pool.on('error', () => {});
  await migrate(pool);
  const credentialsKey = options.secretKey ? deriveCredentialsKey(options.secretKey) : randomBytes(32);
  const catalog = new PgCatalog(pool, { credentialsKey });
  const dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-api-data-'));
  const mediaRoot = path.join(dataRoot, 'media');
  await mkdir(mediaRoot);
  const queuePrefix = uniqueName('api');
  const backup = await openBackupServices({
    redisUrl: testServices().redisUrl,
    queuePrefix,
    dataRoot,
    resultTtlSeconds: 3600,
    failureTtlSeconds: 3600,
    uploadLimitBytes: 64 * 1024 ** 2,
    ...options.backup,
  });
  const schedules = options.schedules
    ? await openScheduleServices({ redisUrl: testServices().redisUrl, queuePrefix, dataRoot })
    : undefined;
  const services: ApiServices = {
    catalog,
    localMedia: new LocalDriver({ kind: 'local', root: mediaRoot }),
    openCloudStorage: (access) => createDriver(cloudStorageConfig(access)),
    registrationEnabled: options.registrationEnabled ?? true,
    ...(options.sessionAgeSeconds ? { sessionAgeSeconds: options.sessionAgeSeconds } : {}),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    backup,
    ...(schedules ? { schedules } : {}),
  };
  const app = await buildApp({ logger: createLogger({ level: 'silent' }), checks: {}, api: services });
  await app.ready();
  return {
    app,
    catalog,
    services,
    mediaRoot,
    dataRoot,
    queuePrefix,
    db,
    async user({ admin = false } = {}) {
      const username = `user${++seq}${randomBytes(3).toString('hex')}`;
      const password = 'secret-pass-1';
      const created = await catalog.users.create({
        username,
        password,
        is_superuser: admin,
        is_staff: admin,
      });
      const token = await catalog.users.issueToken(created.id);
      return {
        id: created.id,
        username,
        password,
        token,
        call: (o) => app.inject({ ...o, headers: { authorization: `Token ${token}`, ...o.headers } }),
      };
    },
    async close() {
      await app.close();
      await pool.end();
      await db.drop();
      await backup.close();
      await schedules?.close();
      await deleteRedisKeys(queuePrefix);
      await rm(dataRoot, { recursive: true, force: true });
    },
  };
}

/** A multipart body with `client_files[i]` and plain fields, for `app.inject`. */
export function multipartBody(
  files: Array<{ name: string; content: Buffer }>,
  fields: Record<string, string> = {},
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----cvb${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  files.forEach((f, i) => {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="client_files[${i}]"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      f.content,
      Buffer.from('\r\n'),
    );
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
