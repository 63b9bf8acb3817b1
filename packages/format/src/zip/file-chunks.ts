import { WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * A file the zip writer reads itself with positional reads (a `node:fs/promises` `FileHandle` is
 * one). Compared with a read stream this saves a fresh buffer per chunk (and the garbage
 * collections those cost) and a promise per chunk of the stream's async iterator.
 */
export interface ReadableFile {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** What an entry's bytes come from: a stream (any async iterable of bytes) or a file. */
export type EntrySource = AsyncIterable<Uint8Array | string> | ReadableFile;

export function isReadableFile(source: unknown): source is ReadableFile {
  return (
    typeof source === 'object' &&
    source !== null &&
    !(Symbol.asyncIterator in source) &&
    typeof (source as ReadableFile).read === 'function' &&
    typeof (source as ReadableFile).close === 'function'
  );
}

/** Bytes per read: few enough calls to amortise the thread-pool round trip of each. */
export const FILE_CHUNK = 1 << 20;
/** Room in front of a chunk for the entry's local header (longer headers are written alone). */
export const HEAD_ROOM = 4096;
/** Chunks in flight: one being read while one is being written, and one spare. */
const RING = 3;

/**
 * Buffers for file reads. A buffer may be reused only once the output is done with its bytes:
 * an fs `WriteStream` has handed them to the kernel when a write's callback runs, but a general
 * Writable (a PassThrough feeding an upload) may still hold the very object after that. So
 * buffers are recycled for file streams only and freshly allocated for everything else; either
 * way at most `RING` chunks are in flight, so memory stays flat.
 */
export class ChunkRing {
  readonly #reuse: boolean;
  readonly #buffers: Buffer[] = [];
  readonly #released: Array<Promise<void>> = [];
  #next = 0;

  constructor(output: Writable) {
    this.#reuse = output instanceof WriteStream;
  }

  /**
   * A buffer for the next chunk, and the callback to pass to `output.write` with it (which
   * marks the buffer free again). Waits while all `RING` chunks are still in flight.
   */
  async acquire(): Promise<{ buffer: Buffer; release: (err?: Error | null) => void }> {
    const slot = this.#next;
    this.#next = (slot + 1) % RING;
    await this.#released[slot];
    let release!: () => void;
    // Write errors reach the writer through the output's 'error' event; here they only free the slot.
    this.#released[slot] = new Promise<void>((resolve) => {
      release = resolve;
    });
    let buffer = this.#reuse ? this.#buffers[slot] : undefined;
    if (!buffer) {
      buffer = Buffer.allocUnsafeSlow(HEAD_ROOM + FILE_CHUNK);
      if (this.#reuse) this.#buffers[slot] = buffer;
    }
    return { buffer, release: () => release() };
  }
}
