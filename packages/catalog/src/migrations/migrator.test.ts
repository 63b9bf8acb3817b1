import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAppError } from '@cvat-backup/common';
import { createTestDatabase, type TestDatabase } from '@cvat-backup/testkit';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate, readMigrations } from './migrator.js';

let db: TestDatabase;
let pools: pg.Pool[] = [];
let dir: string;

const newPool = () => {
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pools.push(pool);
  return pool;
};

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cvb-migrations-'));
});
afterEach(async () => {
  await Promise.all(pools.map((p) => p.end()));
  pools = [];
  const admin = newPool();
  await admin.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await admin.end();
  pools = [];
  await rm(dir, { recursive: true, force: true });
});

const tables = async (pool: pg.Pool) =>
  (
    await pool.query<{ t: string }>(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    )
  ).rows.map((r) => r.t);

describe('migrate', () => {
  it('applies every migration of the package once, in order, and is idempotent', async () => {
    const pool = newPool();
    const files = await readMigrations();
    expect(files.map((f) => f.name)).toEqual([...files.map((f) => f.name)].sort());
    const first = await migrate(pool);
    expect(first.applied).toEqual(files.map((f) => f.name));
    expect(await tables(pool)).toEqual(
      expect.arrayContaining([
        'users',
        'api_tokens',
        'projects',
        'tasks',
        'task_data',
        'annotation_shapes',
        'schema_migrations',
      ]),
    );
    const second = await migrate(pool);
    expect(second).toEqual({ applied: [], alreadyApplied: files.map((f) => f.name) });
  });

  it('applies each migration exactly once when several processes start at the same time', async () => {
    const results = await Promise.all([migrate(newPool()), migrate(newPool()), migrate(newPool())]);
    const applied = results.flatMap((r) => r.applied);
    const names = (await readMigrations()).map((f) => f.name);
    expect(applied.sort()).toEqual(names);
    const { rows } = await newPool().query('SELECT name FROM schema_migrations');
    expect(rows).toHaveLength(names.length);
  });

  it('refuses to start when an applied migration file was changed', async () => {
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const pool = newPool();
    await migrate(pool, { dir });
    await writeFile(path.join(dir, '0001_users.sql'), '-- edited\nSELECT 1;');
    const err = await migrate(pool, { dir }).catch((e: unknown) => e);
    expect(isAppError(err, 'CATALOG_MIGRATION_CHANGED')).toBe(true);
    expect((err as Error).message).toContain('0001_users.sql');
  });

  it('refuses to start when an applied migration file is missing', async () => {
    await writeFile(path.join(dir, '0001_a.sql'), 'CREATE TABLE a (id int);');
    await writeFile(path.join(dir, '0002_b.sql'), 'CREATE TABLE b (id int);');
    const pool = newPool();
    await migrate(pool, { dir });
    await rm(path.join(dir, '0002_b.sql'));
    const err = await migrate(pool, { dir }).catch((e: unknown) => e);
    expect(isAppError(err, 'CATALOG_MIGRATION_MISSING')).toBe(true);
  });

  it('0008 adds the expiry on a live table and leaves every stored key (all API keys) without one', async () => {
    // The table as 0001-0007 left it, with keys written by logins before sessions existed, two of
    // them a few milliseconds apart (a script logging in twice): all stay API keys, never expiring.
    const files = await readMigrations();
    const before = files.filter((f) => f.name < '0008');
    for (const f of before) await writeFile(path.join(dir, f.name), f.sql);
    const pool = newPool();
    await migrate(pool, { dir });
    await pool.query(`INSERT INTO users (id, username, password_hash) VALUES (1, 'ann', 'x')`);
    const rows: [string, string][] = [
      ['ann-old-key', '2026-01-01T10:00:00Z'],
      ['ann-key-1', '2026-11-29T03:31:00.000Z'],
      ['ann-key-2', '2026-11-29T03:31:00.010Z'],
    ];
    for (const [name, created] of rows)
      await pool.query(
        'INSERT INTO api_tokens (key_hash, user_id, created_date) VALUES (convert_to($1, $3), 1, $2)',
        [name, created, 'UTF8'],
      );

    const next = files.filter((f) => f.name.startsWith('0008'));
    expect(next.map((f) => f.name)).toEqual(['0008_session_expiry.sql']);
    for (const f of next) await writeFile(path.join(dir, f.name), f.sql);
    expect((await migrate(pool, { dir })).applied).toEqual(['0008_session_expiry.sql']);

    const { rows: after } = await pool.query<{ name: string; expires_at: Date | null }>(
      `SELECT convert_from(key_hash, 'UTF8') AS name, expires_at FROM api_tokens ORDER BY created_date`,
    );
    expect(after).toEqual(rows.map(([name]) => ({ name, expires_at: null })));
  });

  it('rolls back a failing migration entirely and keeps the ones before it', async () => {
    await writeFile(path.join(dir, '0001_ok.sql'), 'CREATE TABLE ok (id int);');
    await writeFile(
      path.join(dir, '0002_bad.sql'),
      'CREATE TABLE half (id int);\nSELECT * FROM no_such_table;',
    );
    await writeFile(path.join(dir, 'README.md'), 'not a migration');
    const pool = newPool();
    const err = await migrate(pool, { dir }).catch((e: unknown) => e);
    expect(isAppError(err, 'CATALOG_MIGRATION_FAILED')).toBe(true);
    expect((err as Error).message).toContain('0002_bad.sql');
    expect(await tables(pool)).toEqual(['ok', 'schema_migrations']);
    const { rows } = await pool.query('SELECT name FROM schema_migrations');
    expect(rows).toEqual([{ name: '0001_ok.sql' }]);
  });
});
