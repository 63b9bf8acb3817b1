import { AppError } from '@cvat-backup/common';

/** S3 and GCS allow 1024 bytes of key; Azure allows more. The smallest limit holds for all. */
const MAX_KEY_BYTES = 1024;

function refuse(key: string, reason: string): never {
  throw new AppError('STORAGE_KEY_INVALID', { key: key.replace(/\0/g, '\\0'), reason });
}

function checkSegments(key: string, whole: boolean): void {
  if (key.includes('\0')) refuse(key, 'it contains a NUL character');
  if (key.includes('\\')) refuse(key, 'it contains a backslash');
  if (key.startsWith('/')) refuse(key, 'it is absolute');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) refuse(key, `it is longer than ${MAX_KEY_BYTES} bytes`);
  const segments = key.split('/');
  segments.forEach((segment, i) => {
    if (segment === '..' || segment === '.') refuse(key, `it has a "${segment}" segment`);
    // A listing prefix may end with "/" (its last segment is then empty); a key may not.
    if (segment === '' && (whole || i < segments.length - 1)) refuse(key, 'it has an empty segment');
  });
}

/** Checks an object key: relative, no `.`/`..`/empty segment, no NUL or backslash, ≤ 1024 bytes. */
export function validateKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) refuse(String(key), 'it is empty');
  checkSegments(key, true);
  return key;
}

/** Checks a listing prefix: like a key, but it may be empty or end with `/` or in mid-segment. */
export function validateListPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkSegments(prefix, false);
  return prefix;
}

/**
 * Scopes keys under a configured prefix, which is treated as a folder: `media` and `media/` both
 * put key `a.jpg` at `media/a.jpg`.
 */
export class KeyScope {
  readonly prefix: string;

  constructor(prefix = '') {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '');
    if (trimmed !== '') validateKey(trimmed);
    this.prefix = trimmed === '' ? '' : `${trimmed}/`;
  }

  /** The store's full key for a validated relative key. */
  full(key: string): string {
    return this.prefix + validateKey(key);
  }

  /** The store's full prefix for a listing prefix. */
  fullPrefix(prefix: string): string {
    return this.prefix + validateListPrefix(prefix);
  }

  /** The relative key of a full key the store returned. */
  relative(fullKey: string): string {
    return fullKey.startsWith(this.prefix) ? fullKey.slice(this.prefix.length) : fullKey;
  }
}
