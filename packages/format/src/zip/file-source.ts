import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { RandomAccessSource } from './random-access-source.js';

/** Read-ahead of streamed entries; large enough for disk-speed copies, small enough to stay flat. */
const STREAM_CHUNK = 1 << 20;

/** A zip file on the local disk. Close it when done. */
export class FileSource implements RandomAccessSource {
  readonly #path: string;
  readonly #handle: FileHandle;
  readonly size: number;

  private constructor(path: string, handle: FileHandle, size: number) {
    this.#path = path;
    this.#handle = handle;
    this.size = size;
  }

  static async open(path: string): Promise<FileSource> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new FileSource(path, handle, size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, this.size - offset)));
    let done = 0;
    while (done < buffer.length) {
      const { bytesRead } = await this.#handle.read(buffer, done, buffer.length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === buffer.length ? buffer : buffer.subarray(0, done);
  }

  stream(offset: number, length: number): Readable {
    if (length === 0) return Readable.from([]);
    return createReadStream(this.#path, {
      start: offset,
      end: offset + length - 1,
      highWaterMark: STREAM_CHUNK,
    });
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
