import { Readable } from 'node:stream';
import { AppError } from '@cvat-backup/common';
import type { ByteRange, ObjectInfo } from '../storage-driver.js';

/** A checked range as absolute `[start, end)`; `end` undefined means "to the end". */
export interface Span {
  start: number;
  end: number | undefined;
}

/** Validates a requested range (non-negative safe integers) and turns it into a span. */
export function toSpan(range: ByteRange | undefined, describe: { storage: string; key: string }): Span {
  if (!range) return { start: 0, end: undefined };
  const { offset, length } = range;
  const bad =
    !Number.isSafeInteger(offset) ||
    offset < 0 ||
    (length !== undefined && (!Number.isSafeInteger(length) || length < 0));
  if (bad)
    throw new AppError('STORAGE_RANGE_INVALID', {
      ...describe,
      range: `${offset}+${length ?? ''}`,
      reason: 'offset and length must be non-negative integers',
    });
  return { start: offset, end: length === undefined ? undefined : offset + length };
}

/** The error for a range that starts past the end of the object. */
export function rangePastEnd(span: Span, size: number, describe: { storage: string; key: string }): AppError {
  return new AppError('STORAGE_RANGE_INVALID', {
    ...describe,
    range: `${span.start}-${span.end ?? ''}`,
    reason: `it starts past the end of the object (${size} bytes)`,
  });
}

/**
 * The read of a zero-length range, or of one starting at the end: an empty stream when the object is
 * that long, else the error a read past its end or of a missing object gets (every object-store driver).
 */
export async function emptyRangeRead(
  head: (key: string) => Promise<ObjectInfo | undefined>,
  key: string,
  start: number,
  describe: { storage: string; key: string },
): Promise<Readable> {
  const info = await head(key);
  if (!info) throw new AppError('STORAGE_OBJECT_NOT_FOUND', { ...describe, reason: 'absent' });
  if (start > info.size) throw rangePastEnd({ start, end: undefined }, info.size, describe);
  return Readable.from([], { objectMode: false });
}
