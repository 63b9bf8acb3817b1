import { AppError } from '@cvat-backup/common';
import type { z } from 'zod';

/** Parses with a schema; a mismatch becomes `ARCHIVE_SCHEMA_INVALID` naming the entry and paths. */
export function parseArchiveJson<S extends z.ZodType>(
  schema: S,
  value: unknown,
  entry: string,
  where = '',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('ARCHIVE_SCHEMA_INVALID', { entry, problems: describeIssues(result.error, where) });
}

export function describeIssues(error: z.ZodError, where = ''): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [where, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}
