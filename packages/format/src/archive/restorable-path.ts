import { AppError } from '@cvat-backup/common';

/** File systems refuse longer names (NAME_MAX on Linux, macOS and Windows). */
const MAX_SEGMENT_BYTES = 255;
/**
 * Restored files land under a prefix of about 40 bytes in object storage, whose keys stop at 1,024
 * bytes (S3, GCS); longer paths would fail in the middle of a restore instead of up front.
 */
const MAX_PATH_BYTES = 960;

/**
 * Refuses, before anything is restored, a media or asset path no storage can hold: the zip name
 * rules allow 65,535 bytes, and such an entry used to fail only when its copy was written.
 */
export function checkRestorablePath(entry: string, path: string): void {
  const segment = path.split('/').find((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES);
  const reason =
    segment !== undefined
      ? `a path segment is longer than ${MAX_SEGMENT_BYTES} bytes`
      : Buffer.byteLength(path) > MAX_PATH_BYTES
        ? `the path is longer than ${MAX_PATH_BYTES} bytes`
        : undefined;
  if (reason) throw new AppError('ARCHIVE_UNSAFE_PATH', { entry: shortened(entry), reason });
}

function shortened(name: string): string {
  return name.length > 120 ? `${name.slice(0, 60)}…${name.slice(-40)}` : name;
}
