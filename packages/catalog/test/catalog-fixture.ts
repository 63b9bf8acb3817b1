import { randomBytes } from 'node:crypto';
import { isAppError } from '@cvat-backup/common';
import { createTestDatabase, type TestDatabase } from '@cvat-backup/testkit';
import pg from 'pg';
import type { Actor } from '../src/index.js';
import { migrate, PgCatalog, type PgCatalogOptions } from '../src/index.js';

export interface TestCatalog {
  db: TestDatabase;
  pool: pg.Pool;
  catalog: PgCatalog;
  key: Buffer;
  close(): Promise<void>;
}

/** A migrated database of its own with a catalog on it; `close()` drops it. */
export async function openTestCatalog(options: Partial<PgCatalogOptions> = {}): Promise<TestCatalog> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', () => {});
  await migrate(pool);
  const key = options.credentialsKey ?? randomBytes(32);
  const catalog = new PgCatalog(pool, { ...options, credentialsKey: key });
  return {
    db,
    pool,
    catalog,
    key,
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
}

let seq = 0;

type SeededActor = Actor & { username: string };

/** Creates a user and returns it as an actor. */
export async function seedActor(catalog: PgCatalog, admin = false): Promise<SeededActor> {
  const username = `user${++seq}${randomBytes(3).toString('hex')}`;
  const user = await catalog.users.create({ username, password: 'secret-pass', is_superuser: admin });
  return { id: user.id, isAdmin: admin, username };
}

/** The three actors visibility tests need: an owner, another user and an administrator. */
export function seedOwnerOtherAdmin(catalog: PgCatalog): Promise<[SeededActor, SeededActor, SeededActor]> {
  return Promise.all([seedActor(catalog), seedActor(catalog), seedActor(catalog, true)]);
}

/** How a call ended: `resolved`, or the code of the coded error it failed with. */
export const errorCodeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: unknown) => (isAppError(e) ? e.code : String(e)),
  );
