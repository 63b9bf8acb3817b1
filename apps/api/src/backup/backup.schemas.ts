import { AppError } from '@cvat-backup/common';
import { z } from 'zod';

/** Query of the export endpoints (legacy GET, POST `/backup/export`); values are parsed by the handlers. */
export const exportQuery = z
  .object({
    filename: z.string().max(1024).optional(),
    location: z.string().optional(),
    cloud_storage_id: z.string().optional(),
    use_default_location: z.string().optional(),
    lightweight: z.string().optional(),
    action: z.string().optional(),
    org: z.string().optional(),
  })
  .catchall(z.unknown());

export type ExportQuery = z.infer<typeof exportQuery>;

/** Query of `POST /api/{tasks|projects}/backup` (upload, finish, cloud import, legacy poll). */
export const importQuery = z
  .object({
    filename: z.string().max(1024).optional(),
    location: z.string().optional(),
    cloud_storage_id: z.string().optional(),
    use_default_location: z.string().optional(),
    rq_id: z.string().max(512).optional(),
    project_id: z.string().optional(),
    org: z.string().optional(),
  })
  .catchall(z.unknown());

export type ImportQuery = z.infer<typeof importQuery>;

export const downloadQuery = z.object({ rq_id: z.string().max(512).optional() }).catchall(z.unknown());

const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE = new Set(['false', '0', 'no', 'off', 'f', 'n']);

/** CVAT's `to_bool` on a query value; anything else is a 400 naming the parameter. */
export function queryBool(value: string | undefined, field: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  const lower = value.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new AppError('VALIDATION_FAILED', { problems: `${field} must be true or false`, field });
}

/** A positive integer id from the query; a 400 naming the parameter otherwise. */
export function queryId(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > 2 ** 31 - 1)
    throw new AppError('VALIDATION_FAILED', { problems: `${field} must be a positive integer`, field });
  return Number(value);
}
