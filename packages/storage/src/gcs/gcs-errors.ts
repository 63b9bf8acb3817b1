import type { AppError } from '@cvat-backup/common';
import { alreadyMapped, reasonOf, storageError } from '../core/storage-error.js';
import { isTransientNetworkError, isTransientStatus } from '../core/transient.js';

interface ApiErrorLike {
  code?: number | string;
  message?: string;
  errors?: Array<{ reason?: string; message?: string }>;
  response?: { status?: number };
}

/** Maps an `@google-cloud/storage` (or network) failure on one key to a coded error. */
export function mapGcsError(err: unknown, storage: string, key: string): AppError {
  const known = alreadyMapped(err);
  if (known) return known;
  const e = (err ?? {}) as ApiErrorLike;
  const status = typeof e.code === 'number' ? e.code : e.response?.status;
  const detail = e.errors?.[0]?.reason ?? '';
  const reason = status ? `${detail || 'error'} (HTTP ${status})` : reasonOf(err);
  const text = `${e.message ?? ''} ${e.errors?.[0]?.message ?? ''}`;
  if (status === 404)
    return /bucket does not exist|no such bucket|bucket.*not found/i.test(text)
      ? storageError('STORAGE_BUCKET_NOT_FOUND', storage, key, reason, err)
      : storageError('STORAGE_OBJECT_NOT_FOUND', storage, key, reason, err);
  if (status === 401 || status === 403)
    return storageError('STORAGE_ACCESS_DENIED', storage, key, reason, err);
  if (status === 416) return storageError('STORAGE_RANGE_INVALID', storage, key, reason, err, { range: '?' });
  if (status === 413) return storageError('STORAGE_OBJECT_TOO_LARGE', storage, key, reason, err);
  // google-auth failures (bad key file, refused token exchange) are permanent credential problems.
  if (/invalid_grant|invalid_client|unauthorized_client|private key/i.test(text))
    return storageError('STORAGE_ACCESS_DENIED', storage, key, 'the credentials were refused', err);
  if (isTransientStatus(status) || isTransientNetworkError(err))
    return storageError('STORAGE_UNAVAILABLE', storage, key, reason, err);
  return storageError('STORAGE_FAILED', storage, key, reason, err);
}
