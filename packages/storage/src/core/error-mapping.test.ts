import { writeFileSync } from 'node:fs';
import { NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { RestError } from '@azure/storage-blob';
import { ApiError } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { mapAzureError } from '../azure/azure-errors.js';
import { mapGcsError } from '../gcs/gcs-errors.js';
import { mapLocalError } from '../local/local-errors.js';
import { mapS3Error } from '../s3/s3-errors.js';
import { StorageStallError } from './transient.js';

const meta = (status: number) => ({ httpStatusCode: status });
const s3 = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: meta(status),
    message: name,
  });
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/** The real error of a full disk: writing to /dev/full fails with ENOSPC. */
function enospc(): unknown {
  try {
    writeFileSync('/dev/full', 'x');
  } catch (err) {
    return err;
  }
  throw new Error('/dev/full accepted a write');
}

describe('error mapping', () => {
  it('maps file-system errors (local)', () => {
    const cases: Array<[unknown, string, boolean]> = [
      [enospc(), 'STORAGE_NO_SPACE', false],
      [
        Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }),
        'STORAGE_ACCESS_DENIED',
        false,
      ],
      [Object.assign(new Error('EROFS'), { code: 'EROFS' }), 'STORAGE_ACCESS_DENIED', false],
      [Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), 'STORAGE_OBJECT_NOT_FOUND', false],
      [Object.assign(new Error('EMFILE'), { code: 'EMFILE' }), 'STORAGE_UNAVAILABLE', true],
      [Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), 'STORAGE_FAILED', false],
    ];
    for (const [err, code, retryable] of cases)
      expect(mapLocalError(err, 'local directory "/d"', 'k')).toMatchObject({ code, retryable });
  });

  it('maps S3 errors', () => {
    const cases: Array<[unknown, string]> = [
      [new NoSuchBucket({ $metadata: meta(404), message: 'NoSuchBucket' }), 'STORAGE_BUCKET_NOT_FOUND'],
      [new NoSuchKey({ $metadata: meta(404), message: 'NoSuchKey' }), 'STORAGE_OBJECT_NOT_FOUND'],
      [s3('NotFound', 404), 'STORAGE_OBJECT_NOT_FOUND'],
      [s3('InvalidAccessKeyId', 403), 'STORAGE_ACCESS_DENIED'],
      [s3('SignatureDoesNotMatch', 403), 'STORAGE_ACCESS_DENIED'],
      [s3('InvalidRange', 416), 'STORAGE_RANGE_INVALID'],
      [s3('EntityTooLarge', 400), 'STORAGE_OBJECT_TOO_LARGE'],
      [s3('SlowDown', 503), 'STORAGE_UNAVAILABLE'],
      [s3('InternalError', 500), 'STORAGE_UNAVAILABLE'],
      [s3('NoSuchUpload', 404), 'STORAGE_FAILED'],
      [reset(), 'STORAGE_UNAVAILABLE'],
      [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'STORAGE_UNAVAILABLE'],
      [new StorageStallError('no progress'), 'STORAGE_UNAVAILABLE'],
    ];
    for (const [err, code] of cases)
      expect(mapS3Error(err, 's3 bucket "b"', 'k').code, String(err)).toBe(code);
  });

  it('maps Azure errors', () => {
    const rest = (code: string, statusCode: number) => new RestError(code, { code, statusCode });
    const cases: Array<[unknown, string]> = [
      [rest('ContainerNotFound', 404), 'STORAGE_BUCKET_NOT_FOUND'],
      [rest('BlobNotFound', 404), 'STORAGE_OBJECT_NOT_FOUND'],
      [rest('AuthenticationFailed', 403), 'STORAGE_ACCESS_DENIED'],
      [rest('AuthorizationPermissionMismatch', 403), 'STORAGE_ACCESS_DENIED'],
      [rest('InvalidRange', 416), 'STORAGE_RANGE_INVALID'],
      [rest('BlockCountExceedsLimit', 409), 'STORAGE_OBJECT_TOO_LARGE'],
      [rest('ServerBusy', 503), 'STORAGE_UNAVAILABLE'],
      [new RestError('socket', { code: 'REQUEST_SEND_ERROR' }), 'STORAGE_UNAVAILABLE'],
      [Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }), 'STORAGE_UNAVAILABLE'],
      [rest('InvalidBlobOrBlock', 400), 'STORAGE_FAILED'],
    ];
    for (const [err, code] of cases)
      expect(mapAzureError(err, 'azure container "c"', 'k').code, String(err)).toBe(code);
  });

  it('maps Google Cloud Storage errors', () => {
    const api = (code: number, message: string, reason = '') => {
      const body = { code, message, errors: reason ? [{ reason, message }] : [] };
      return new ApiError(body as ConstructorParameters<typeof ApiError>[0] & object);
    };
    const cases: Array<[unknown, string]> = [
      [api(404, 'The specified bucket does not exist.', 'notFound'), 'STORAGE_BUCKET_NOT_FOUND'],
      [api(404, 'No such object: b/k', 'notFound'), 'STORAGE_OBJECT_NOT_FOUND'],
      [api(403, 'x does not have storage.objects.get access', 'forbidden'), 'STORAGE_ACCESS_DENIED'],
      [api(401, 'Invalid Credentials', 'authError'), 'STORAGE_ACCESS_DENIED'],
      [new Error('invalid_grant: Invalid JWT Signature.'), 'STORAGE_ACCESS_DENIED'],
      [api(416, 'Requested range not satisfiable'), 'STORAGE_RANGE_INVALID'],
      [api(429, 'rateLimitExceeded'), 'STORAGE_UNAVAILABLE'],
      [api(503, 'backendError'), 'STORAGE_UNAVAILABLE'],
      [reset(), 'STORAGE_UNAVAILABLE'],
      // What gaxios throws when the library's own `timeout` cuts a request (seen with a stalled server).
      [
        Object.assign(new Error('network timeout at: http://127.0.0.1/storage/v1/b/b/o/k'), {
          name: 'FetchError',
          type: 'request-timeout',
        }),
        'STORAGE_UNAVAILABLE',
      ],
      [api(400, 'Invalid argument'), 'STORAGE_FAILED'],
    ];
    for (const [err, code] of cases)
      expect(mapGcsError(err, 'gcs bucket "b"', 'k').code, String(err)).toBe(code);
  });

  it('names the storage and the key, and keeps a coded error as it is', () => {
    const err = mapS3Error(s3('AccessDenied', 403), 's3 bucket "media"', 'tasks/1.zip');
    expect(err.details).toMatchObject({ storage: 's3 bucket "media"', key: 'tasks/1.zip' });
    expect(err.message).toContain('s3 bucket "media"');
    expect(err.message).toContain('tasks/1.zip');
    expect(mapGcsError(err, 'other', 'other')).toBe(err);
  });
});
