import { defineErrors } from '../error-spec.js';

/**
 * Codes of `@cvat-backup/storage`. Details always name the storage (`storage`: kind and
 * bucket/container/root, never a credential) and, where there is one, the `key`.
 */
export const storageErrors = defineErrors({
  STORAGE_KEY_INVALID: {
    status: 400,
    retryable: false,
    message:
      'The storage key "{key}" is invalid: {reason}. Use a relative path without "..", NUL or a leading "/".',
  },
  STORAGE_CONFIG_INVALID: {
    status: 400,
    retryable: false,
    message: 'The storage configuration is invalid: {problems}',
  },
  STORAGE_OBJECT_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'There is no object "{key}" in {storage}.',
  },
  STORAGE_BUCKET_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: '{storage} does not exist. Check the bucket, container or directory name of the cloud storage.',
  },
  STORAGE_ACCESS_DENIED: {
    status: 403,
    retryable: false,
    message:
      'Access to "{key}" in {storage} was refused ({reason}). Check the credentials and permissions of the cloud storage.',
  },
  STORAGE_NO_SPACE: {
    status: 507,
    retryable: false,
    message: 'There is no space left in {storage} to write "{key}". Free some space and try again.',
  },
  STORAGE_RANGE_INVALID: {
    status: 416,
    retryable: false,
    message: 'The range {range} of "{key}" in {storage} is invalid: {reason}.',
  },
  STORAGE_OBJECT_TOO_LARGE: {
    status: 413,
    retryable: false,
    message: '"{key}" in {storage} is larger than the storage accepts: {reason}.',
  },
  STORAGE_WRITE_CLOSED: {
    status: 409,
    retryable: false,
    message: 'The write of "{key}" in {storage} was already {state}; start a new write.',
  },
  STORAGE_UNAVAILABLE: {
    status: 503,
    retryable: true,
    message: '{storage} did not answer for "{key}" ({reason}); the operation can be retried.',
  },
  STORAGE_FAILED: {
    status: 502,
    retryable: false,
    message: '{storage} refused the operation on "{key}": {reason}.',
  },
});
