import { Readable } from 'node:stream';
import { AppError } from '@cvat-backup/common';
import type { StorageDriver } from './storage-driver.js';

/** Random access to one object, the shape the archive reader needs (defined there structurally). */
export interface RandomAccess {
  readonly size: number;
  /** Reads exactly `length` bytes at `offset` into memory; keep `length` small. */
  read(offset: number, length: number): Promise<Buffer>;
  /** Streams `length` bytes from `offset`. */
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
  const check = (offset: number, length: number) => {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > size
    )
      throw new AppError('STORAGE_RANGE_INVALID', {
        storage: driver.description,
        key,
        range: `${offset}+${length}`,
        reason: `the object has ${size} bytes`,
      });
  };
  return {
    size,
    async read(offset, length) {
      check(offset, length);
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
    stream(offset, length) {
      check(offset, length);
      if (length === 0) return Readable.from([], { objectMode: false });
      async function* pump() {
        yield* await driver.read(key, { range: { offset, length } });
      }
      return Readable.from(pump(), { objectMode: false });
    },
  };
}
