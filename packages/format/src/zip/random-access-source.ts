import { Readable } from 'node:stream';

/**
 * Random access to the bytes of an archive: a local file, or ranged reads from object storage.
 * The reader only ever asks for ranges inside `[0, size)`.
 */
export interface RandomAccessSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Reads exactly `length` bytes at `offset` (fewer only at the end of the source). */
  read(offset: number, length: number): Promise<Buffer>;
  /** Streams `length` bytes from `offset`, with backpressure. */
  stream(offset: number, length: number): Readable;
  /** Releases the underlying handle, if any. */
  close?(): Promise<void>;
}

/** An archive held in memory (tests, small uploads). */
export class BufferSource implements RandomAccessSource {
  readonly #data: Buffer;

  constructor(data: Buffer) {
    this.#data = data;
  }

  get size(): number {
    return this.#data.length;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    return this.#data.subarray(offset, offset + length);
  }

  stream(offset: number, length: number): Readable {
    const slice = this.#data.subarray(offset, offset + length);
    const chunk = 1 << 16;
    return Readable.from(
      (function* () {
        for (let at = 0; at < slice.length; at += chunk) yield slice.subarray(at, at + chunk);
      })(),
      { objectMode: false },
    );
  }
}
