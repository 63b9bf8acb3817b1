import { isAppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { mapPgError } from './pg-errors.js';

const pgError = (fields: Record<string, string>) => Object.assign(new Error('database said no'), fields);

describe('mapPgError', () => {
  it.each([
    ['tasks_project_id_fkey', 'project'],
    ['storages_cloud_storage_id_fkey', 'cloud storage'],
    ['jobs_assignee_id_fkey', 'assignee'],
  ])('names the missing entity of foreign key %s', (constraint, entity) => {
    const err = mapPgError(
      pgError({ code: '23503', constraint, detail: 'Key (x_id)=(42) is not present in table "y".' }),
    );
    expect(isAppError(err, 'CATALOG_REFERENCE_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toBe(`The specified ${entity} 42 does not exist.`);
  });

  it('maps unique, check, not-null and bad-text errors to 409/400 codes without echoing values', () => {
    const unique = mapPgError(
      pgError({
        code: '23505',
        table: 'tasks',
        constraint: 'tasks_import_request_id_key',
        detail: 'Key (import_request_id)=(secret-ish)',
      }),
    );
    expect(isAppError(unique, 'CATALOG_CONFLICT')).toBe(true);
    expect((unique as Error).message).not.toContain('secret-ish');
    expect((unique as { status: number }).status).toBe(409);
    for (const code of ['23514', '23502', '22P02', '22003', '22001', '22021', '22P05'])
      expect(isAppError(mapPgError(pgError({ code, column: 'name' })), 'CATALOG_INVALID_VALUE'), code).toBe(
        true,
      );
  });

  it('leaves other errors alone', () => {
    const other = pgError({ code: '40001' });
    expect(mapPgError(other)).toBe(other);
    const plain = new Error('x');
    expect(mapPgError(plain)).toBe(plain);
    expect(mapPgError('text')).toBe('text');
  });
});
