import { AppError } from '@cvat-backup/common';

interface PgErrorLike {
  code?: string;
  constraint?: string;
  column?: string;
  table?: string;
  detail?: string;
}

function isPgError(err: unknown): err is Error & PgErrorLike {
  return err instanceof Error && typeof (err as PgErrorLike).code === 'string';
}

/** Names the entity a foreign-key constraint points at, for a message a user can act on. */
function referencedEntity(constraint: string | undefined): string {
  const column = constraint?.replace(/^[a-z_]+?_((?:[a-z]+_)*[a-z]+_id)_fkey$/, '$1') ?? '';
  return column.replace(/_id$/, '').replace(/_/g, ' ') || 'object';
}

/**
 * Turns PostgreSQL's integrity errors into coded AppErrors (400/409) and leaves everything else as
 * it is. Values from the row are not echoed: they may be user data.
 */
export function mapPgError(err: unknown): unknown {
  if (!isPgError(err)) return err;
  switch (err.code) {
    case '23505':
      return new AppError(
        'CATALOG_CONFLICT',
        { entity: err.table ?? 'row', reason: err.constraint ?? 'duplicate' },
        { cause: err },
      );
    case '23503': {
      const id = /\(([^)]*)\)=\(([^)]*)\)/.exec(err.detail ?? '')?.[2];
      return new AppError(
        'CATALOG_REFERENCE_NOT_FOUND',
        { entity: referencedEntity(err.constraint), id: id ?? '' },
        { cause: err },
      );
    }
    case '23514':
    case '23502':
      return new AppError(
        'CATALOG_INVALID_VALUE',
        { field: err.column ?? err.constraint ?? err.table ?? 'value', problem: 'it violates a constraint' },
        { cause: err },
      );
    case '22P02':
    case '22003':
    case '22001':
    case '22021':
    case '22P05': {
      // 22021 / 22P05: text or jsonb given U+0000, which PostgreSQL cannot store.
      const problem = {
        '22P02': 'it is not valid for its type',
        '22003': 'it is out of range',
        '22001': 'it is too long',
        '22021': 'it contains a character PostgreSQL cannot store (NUL)',
        '22P05': 'it contains a character PostgreSQL cannot store (NUL)',
      }[err.code];
      return new AppError('CATALOG_INVALID_VALUE', { field: err.column ?? 'value', problem }, { cause: err });
    }
    default:
      return err;
  }
}

/** Awaits `p`, rethrowing database integrity errors as AppErrors. */
export async function mapped<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw mapPgError(err);
  }
}
