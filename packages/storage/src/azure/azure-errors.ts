import type { AppError } from '@cvat-backup/common';
import { alreadyMapped, reasonOf, storageError } from '../core/storage-error.js';
import { isTransientNetworkError, isTransientStatus } from '../core/transient.js';

interface RestErrorLike {
  name?: string;
  code?: string;
  statusCode?: number;
  details?: { errorCode?: string };
}

const DENIED = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationSourceIPMismatch',
  'AuthorizationProtocolMismatch',
  'InsufficientAccountPermissions',
  'AccountIsDisabled',
]);

/** Maps an `@azure/storage-blob` (or network) failure on one key to a coded error. */
export function mapAzureError(err: unknown, storage: string, key: string): AppError {
  const known = alreadyMapped(err);
  if (known) return known;
  const e = (err ?? {}) as RestErrorLike;
  const code = e.details?.errorCode ?? e.code ?? '';
  const status = e.statusCode;
  const reason = status ? `${code || 'error'} (HTTP ${status})` : reasonOf(err);
  if (code === 'ContainerNotFound')
    return storageError('STORAGE_BUCKET_NOT_FOUND', storage, key, reason, err);
  if (code === 'BlobNotFound' || status === 404)
    return storageError('STORAGE_OBJECT_NOT_FOUND', storage, key, reason, err);
  if (DENIED.has(code) || status === 401 || status === 403)
    return storageError('STORAGE_ACCESS_DENIED', storage, key, reason, err);
  if (code === 'InvalidRange' || status === 416)
    return storageError('STORAGE_RANGE_INVALID', storage, key, reason, err, { range: '?' });
  if (code === 'RequestBodyTooLarge' || code === 'BlockCountExceedsLimit' || status === 413)
    return storageError('STORAGE_OBJECT_TOO_LARGE', storage, key, reason, err);
  // The pipeline's per-try timeout surfaces as an AbortError.
  if (
    isTransientStatus(status) ||
    e.name === 'AbortError' ||
    code === 'REQUEST_SEND_ERROR' ||
    isTransientNetworkError(err)
  )
    return storageError('STORAGE_UNAVAILABLE', storage, key, reason, err);
  return storageError('STORAGE_FAILED', storage, key, reason, err);
}
