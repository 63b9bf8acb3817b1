import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { AppError } from '@cvat-backup/common';

/**
 * Passes an entry's uncompressed bytes through unchanged while checking them against the central
 * directory: never more bytes than declared (an inflating bomb stops here), then exact length and
 * CRC-32 at the end.
 */
export class EntryVerifier extends Transform {
  readonly #name: string;
  readonly #size: number;
  readonly #crc: number;
  #seen = 0;
  #running = 0;

  constructor(name: string, size: number, crc: number) {
    super({ highWaterMark: 1 << 20 });
    this.#name = name;
    this.#size = size;
    this.#crc = crc >>> 0;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#size) {
      done(new AppError('ARCHIVE_CORRUPT', { reason: `"${this.#name}" is longer than its declared size` }));
      return;
    }
    this.#running = crc32(chunk, this.#running);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.#seen !== this.#size) {
      done(new AppError('ARCHIVE_CORRUPT', { reason: `"${this.#name}" is shorter than its declared size` }));
    } else if (this.#running >>> 0 !== this.#crc) {
      done(new AppError('ARCHIVE_CRC_MISMATCH', { entry: this.#name }));
    } else {
      done();
    }
  }
}
