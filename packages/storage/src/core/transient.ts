const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'StorageStallError']);

/**
 * True for failures of the connection itself (resets, timeouts, premature closes), which say
 * nothing about the request and are worth another try. Looks through `cause` chains.
 */
export function isTransientNetworkError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; name?: unknown; type?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  // node-fetch's (gaxios, under the GCS library) own timeout: `FetchError` of type request-timeout.
  if (e.type === 'request-timeout') return true;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.message === 'string' && /socket hang up|premature close|ECONNRESET/i.test(e.message))
    return true;
  return isTransientNetworkError(e.cause, depth + 1);
}

/** HTTP statuses that mean "try again later". */
export function isTransientStatus(status: number | undefined): boolean {
  return status !== undefined && (status === 408 || status === 429 || status >= 500);
}

/** Raised by our own watchdogs when a transfer makes no progress for too long. */
export class StorageStallError extends Error {
  override readonly name = 'StorageStallError';
}
