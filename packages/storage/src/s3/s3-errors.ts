import type { AppError } from '@cvat-backup/common';
import { alreadyMapped, reasonOf, storageError } from '../core/storage-error.js';
import { isTransientNetworkError, isTransientStatus } from '../core/transient.js';

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'AllAccessDisabled',
  'AccountProblem',
]);
const THROTTLED = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'InternalError',
  'ServiceUnavailable',
]);

/** Maps an AWS SDK (or network) failure on one key to a coded error. */
export function mapS3Error(err: unknown, storage: string, key: string): AppError {
  const known = alreadyMapped(err);
  if (known) return known;
  const e = (err ?? {}) as SdkError;
  const code = e.Code ?? e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const reason = status ? `${code} (HTTP ${status})` : reasonOf(err);
  if (code === 'NoSuchBucket') return storageError('STORAGE_BUCKET_NOT_FOUND', storage, key, reason, err);
  if (code === 'NoSuchKey' || code === 'NotFound' || (status === 404 && code !== 'NoSuchUpload'))
    return storageError('STORAGE_OBJECT_NOT_FOUND', storage, key, reason, err);
  if (DENIED.has(code) || status === 401 || status === 403)
    return storageError('STORAGE_ACCESS_DENIED', storage, key, reason, err);
  if (code === 'InvalidRange' || status === 416)
    return storageError('STORAGE_RANGE_INVALID', storage, key, reason, err, { range: '?' });
  if (code === 'EntityTooLarge') return storageError('STORAGE_OBJECT_TOO_LARGE', storage, key, reason, err);
  if (THROTTLED.has(code) || isTransientStatus(status) || isTransientNetworkError(err))
    return storageError('STORAGE_UNAVAILABLE', storage, key, reason, err);
  return storageError('STORAGE_FAILED', storage, key, reason, err);
}
