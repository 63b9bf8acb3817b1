import type { StorageSettingInput } from '../repositories/common.types.js';
import type { Queryable } from './db.js';
import { mapped } from './pg-errors.js';

/** A nested BasicUser (or null) from a LEFT JOINed `users` alias. */
export const userJson = (a: string): string =>
  `CASE WHEN ${a}.id IS NULL THEN NULL ELSE json_build_object('id', ${a}.id, 'username', ${a}.username,
    'first_name', ${a}.first_name, 'last_name', ${a}.last_name) END`;

/** A nested Storage setting (or null) from a LEFT JOINed `storages` alias. */
export const storageJson = (a: string): string =>
  `CASE WHEN ${a}.id IS NULL THEN NULL ELSE json_build_object('id', ${a}.id, 'location', ${a}.location,
    'cloud_storage_id', ${a}.cloud_storage_id) END`;

/** Inserts a storage setting row; null input gives null. */
export async function insertStorageSetting(
  db: Queryable,
  input: StorageSettingInput | null | undefined,
): Promise<number | null> {
  if (!input) return null;
  const { rows } = await mapped(
    db.query<{ id: number }>(
      'INSERT INTO storages (location, cloud_storage_id) VALUES ($1, $2) RETURNING id',
      [input.location, input.cloud_storage_id ?? null],
    ),
  );
  return rows[0]!.id;
}

/**
 * Builds `col = $n` assignments for the keys of `patch` that are in `columns` and not undefined.
 * Column names come from the caller's allow-list only.
 */
export function setClause<T extends object>(
  patch: T,
  columns: readonly (keyof T & string)[],
  params: unknown[],
): string[] {
  const sets: string[] = [];
  for (const column of columns) {
    const value = patch[column];
    if (value === undefined) continue;
    params.push(value);
    sets.push(`"${column}" = $${params.length}`);
  }
  return sets;
}

/**
 * Marks a task (and its project) changed: backups compare `updated_date` to decide if a cached archive
 * is fresh. clock_timestamp, not now(): a change late in a long transaction must still move it forward.
 */
export async function touchTask(db: Queryable, taskId: number): Promise<void> {
  await db.query(
    `WITH t AS (UPDATE tasks SET updated_date = clock_timestamp() WHERE id = $1 RETURNING project_id)
     UPDATE projects SET updated_date = clock_timestamp() WHERE id = (SELECT project_id FROM t)`,
    [taskId],
  );
}

/** Marks a project and all its tasks changed (project labels are part of every task's backup). */
export async function touchProject(db: Queryable, projectId: number): Promise<void> {
  await db.query(
    `WITH p AS (UPDATE projects SET updated_date = clock_timestamp() WHERE id = $1 RETURNING id)
     UPDATE tasks SET updated_date = clock_timestamp() WHERE project_id = (SELECT id FROM p)`,
    [projectId],
  );
}
