import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, PgCatalog } from '@cvat-backup/catalog';
import { createLogger } from '@cvat-backup/common';
import { LocalDriver } from '@cvat-backup/storage';
import { createTestDatabase, type TestDatabase } from '@cvat-backup/testkit';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { openCloudDriver } from '../src/cloud/cloud-driver.js';
import { type ApiLimits, type ApiServices, DEFAULT_LIMITS } from '../src/http/api-services.js';

export interface TestApi {
  app: FastifyInstance;
  catalog: PgCatalog;
  services: ApiServices;
  mediaRoot: string;
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
  options: { limits?: Partial<ApiLimits>; registrationEnabled?: boolean } = {},
): Promise<TestApi> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 8 });
  pool.on('error', () => {});
  await migrate(pool);
  const catalog = new PgCatalog(pool, { credentialsKey: randomBytes(32) });
  const mediaRoot = await mkdtemp(path.join(tmpdir(), 'cvb-api-media-'));
  const services: ApiServices = {
    catalog,
    localMedia: new LocalDriver({ kind: 'local', root: mediaRoot }),
    openCloudStorage: openCloudDriver,
    registrationEnabled: options.registrationEnabled ?? true,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
  const app = await buildApp({ logger: createLogger({ level: 'silent' }), checks: {}, api: services });
  await app.ready();
  return {
    app,
    catalog,
    services,
    mediaRoot,
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
      await rm(mediaRoot, { recursive: true, force: true });
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
