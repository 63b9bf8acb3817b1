import type { AppError } from '@cvat-backup/common';
import { alreadyMapped, reasonOf, storageError } from '../core/storage-error.js';

/** Maps a Node file-system error on one key to a coded storage error. */
export function mapLocalError(err: unknown, storage: string, key: string): AppError {
  const known = alreadyMapped(err);
  if (known) return known;
  const code = (err as { code?: unknown } | undefined)?.code;
  const reason = reasonOf(err);
  switch (code) {
    case 'ENOENT':
      return storageError('STORAGE_OBJECT_NOT_FOUND', storage, key, reason, err);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return storageError('STORAGE_ACCESS_DENIED', storage, key, String(code), err);
    case 'ENOSPC':
    case 'EDQUOT':
      return storageError('STORAGE_NO_SPACE', storage, key, String(code), err);
    case 'EFBIG':
      return storageError('STORAGE_OBJECT_TOO_LARGE', storage, key, String(code), err);
    case 'EMFILE':
    case 'ENFILE':
    case 'EAGAIN':
    case 'EBUSY':
    case 'EINTR':
    case 'EIO':
      return storageError('STORAGE_UNAVAILABLE', storage, key, reason, err);
    default:
      // EISDIR / ENOTDIR (a key colliding with a "folder"), ENAMETOOLONG, and the unknown.
      return storageError('STORAGE_FAILED', storage, key, reason, err);
  }
}
