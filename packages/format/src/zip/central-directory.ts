import { AppError } from '@cvat-backup/common';
import type { RandomAccessSource } from './random-access-source.js';
import {
  EOCD_MAX_SEARCH,
  EOCD_SIZE,
  MAX_16,
  MAX_32,
  SIG_EOCD,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from './zip-format.js';

/** Where the central directory is, from the end records. */
export interface DirectoryLocation {
  count: number;
  offset: number;
  size: number;
  /** Offset of the first end record; the central directory must end at or before it. */
  endOffset: number;
}

const truncated = (reason: string) => new AppError('ARCHIVE_TRUNCATED', { reason });
const corrupt = (reason: string) => new AppError('ARCHIVE_CORRUPT', { reason });

/** Finds and decodes the end of central directory record (and its ZIP64 counterpart). */
export async function locateCentralDirectory(source: RandomAccessSource): Promise<DirectoryLocation> {
  if (source.size < EOCD_SIZE) throw truncated('the file is too short to be a zip archive');
  const tailLength = Math.min(source.size, EOCD_MAX_SEARCH);
  const tailStart = source.size - tailLength;
  const tail = await source.read(tailStart, tailLength);
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw truncated('no end of central directory record was found');
  const eocdOffset = tailStart + at;
  const disk = tail.readUInt16LE(at + 4);
  const cdDisk = tail.readUInt16LE(at + 6);
  let count = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  let endOffset = eocdOffset;
  if (disk !== 0 || cdDisk !== 0) throw corrupt('multi-volume (split) archives are not supported');

  const locatorOffset = eocdOffset - ZIP64_LOCATOR_SIZE;
  const locator = locatorOffset >= 0 ? await source.read(locatorOffset, ZIP64_LOCATOR_SIZE) : undefined;
  if (locator && locator.length === ZIP64_LOCATOR_SIZE && locator.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
    const recordOffset = Number(locator.readBigUInt64LE(8));
    if (recordOffset + ZIP64_EOCD_SIZE > locatorOffset) throw corrupt('the ZIP64 end record is out of place');
    const record = await source.read(recordOffset, ZIP64_EOCD_SIZE);
    if (record.length < ZIP64_EOCD_SIZE || record.readUInt32LE(0) !== SIG_ZIP64_EOCD) {
      throw corrupt('the ZIP64 end record is missing');
    }
    count = safeNumber(record.readBigUInt64LE(32));
    size = safeNumber(record.readBigUInt64LE(40));
    offset = safeNumber(record.readBigUInt64LE(48));
    endOffset = recordOffset;
  } else if (count === MAX_16 || size === MAX_32 || offset === MAX_32) {
    // Maxed fields without a locator: only a damaged ZIP64 archive looks like this.
    if (offset === MAX_32 || size === MAX_32) throw truncated('the ZIP64 end records are missing');
  }
  if (offset + size > endOffset) {
    throw truncated('the central directory extends past the end of the file');
  }
  return { count, offset, size, endOffset };
}

export function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('a size or offset is impossibly large');
  return Number(value);
}
