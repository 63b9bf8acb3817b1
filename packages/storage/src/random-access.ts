import { Readable } from 'node:stream';
import { AppError } from '@cvat-backup/common';
import type { StorageDriver } from './storage-driver.js';

/** Random access to one object, the shape the archive reader needs (defined there structurally). */
export interface RandomAccess {
  readonly size: number;
  /** Reads `length` bytes at `offset` into memory (fewer only at the end); keep `length` small. */
  read(offset: number, length: number): Promise<Buffer>;
  /** Streams `length` bytes from `offset` (fewer only at the end). */
  stream(offset: number, length: number): Readable;
}

/**
 * Opens ranged random access to `key`: one `head` for the size, then a ranged read per call.
 * Throws `STORAGE_OBJECT_NOT_FOUND` when there is no such object.
 */
export async function openRandomAccess(driver: StorageDriver, key: string): Promise<RandomAccess> {
  const info = await driver.head(key);
  if (!info)
    throw new AppError('STORAGE_OBJECT_NOT_FOUND', { storage: driver.description, key, reason: 'absent' });
  const size = info.size;
  /**
   * Ranges must start inside the object; one that runs past its end is cut there (the archive reader
   * reads tails in fixed-size blocks and takes fewer bytes at the end, as from a file).
   */
  const clamp = (offset: number, length: number): number => {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset > size
    )
      throw new AppError('STORAGE_RANGE_INVALID', {
        storage: driver.description,
        key,
        range: `${offset}+${length}`,
        reason: `the object has ${size} bytes`,
      });
    return Math.min(length, size - offset);
  };
  return {
    size,
    async read(offset, wanted) {
      const length = clamp(offset, wanted);
      if (length === 0) return Buffer.alloc(0);
      const body = await driver.read(key, { range: { offset, length } });
      const parts: Buffer[] = [];
      for await (const chunk of body) parts.push(chunk as Buffer);
      const data = Buffer.concat(parts);
      if (data.length !== length)
        throw new AppError('STORAGE_RANGE_INVALID', {
          storage: driver.description,
          key,
          range: `${offset}+${length}`,
          reason: `got ${data.length} bytes; the object changed`,
        });
      return data;
    },
    stream(offset, wanted) {
      const length = clamp(offset, wanted);
      if (length === 0) return Readable.from([], { objectMode: false });
      async function* pump() {
        yield* await driver.read(key, { range: { offset, length } });
      }
      return Readable.from(pump(), { objectMode: false });
    },
  };
}
