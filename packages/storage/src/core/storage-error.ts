import { AppError, type ErrorCode } from '@cvat-backup/common';

/** A coded storage error naming the storage and the key; `reason` must never hold a secret. */
export function storageError(
  code: Extract<ErrorCode, `STORAGE_${string}`>,
  storage: string,
  key: string,
  reason: string,
  cause?: unknown,
  extra: Record<string, string | number> = {},
): AppError {
  return new AppError(code, { storage, key, reason, ...extra }, cause === undefined ? {} : { cause });
}

/** A short reason from anything thrown: its code or name and message, first line only, clipped. */
export function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err).slice(0, 200);
  const code = (err as { code?: unknown }).code;
  const head = typeof code === 'string' && code !== '' ? code : err.name;
  const first = err.message.split('\n')[0] ?? '';
  return `${head}: ${first}`.slice(0, 300);
}

/** Maps a failure of one operation on one key to a coded error. */
export type ErrorMapper = (err: unknown, key: string) => AppError;

/** Keeps coded errors as they are, so mapping twice is harmless. */
export function alreadyMapped(err: unknown): AppError | undefined {
  return err instanceof AppError ? err : undefined;
}
