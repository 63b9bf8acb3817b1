import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AppError } from '@cvat-backup/common';
import type pg from 'pg';

/** The folder of the SQL migrations, next to `src/` and `dist/` alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Arbitrary constant: every catalog migrator of one database takes this advisory lock. */
const LOCK_KEY = 0x63766201;
const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations that were already applied (checksums verified). */
  alreadyApplied: string[];
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => FILE_NAME.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(`${dir.replace(/\/?$/, '/')}${name}`, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies the pending migrations in file-name order, one transaction per file. Several processes may
 * call it at once: an advisory lock lets one apply while the others wait and then find nothing to do.
 * An applied file whose content changed, or that disappeared, stops start-up with a coded error.
 */
export async function migrate(pool: pg.Pool, options: { dir?: string } = {}): Promise<MigrateResult> {
  const files = await readMigrations(options.dir);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      return await applyPending(client, files);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch((err: Error) => {
        broken = err;
      });
    }
  } finally {
    client.release(broken);
  }
}

async function applyPending(client: pg.PoolClient, files: MigrationFile[]): Promise<MigrateResult> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ name: string; checksum: string }>(
    'SELECT name, checksum FROM schema_migrations ORDER BY name',
  );
  const applied = new Map(rows.map((r) => [r.name, r.checksum]));
  const onDisk = new Set(files.map((f) => f.name));
  for (const name of applied.keys())
    if (!onDisk.has(name)) throw new AppError('CATALOG_MIGRATION_MISSING', { name });
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  for (const file of files) {
    const checksum = applied.get(file.name);
    if (checksum !== undefined) {
      if (checksum !== file.checksum)
        throw new AppError('CATALOG_MIGRATION_CHANGED', {
          name: file.name,
          applied: checksum.slice(0, 12),
          found: file.checksum.slice(0, 12),
        });
      result.alreadyApplied.push(file.name);
      continue;
    }
    try {
      await client.query('BEGIN');
      await client.query(file.sql);
      await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
        file.name,
        file.checksum,
      ]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw new AppError(
        'CATALOG_MIGRATION_FAILED',
        { name: file.name, reason: err instanceof Error ? err.message : String(err) },
        { cause: err },
      );
    }
    result.applied.push(file.name);
  }
  return result;
}
