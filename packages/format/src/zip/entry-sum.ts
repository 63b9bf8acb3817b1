import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** Length and checksums of one entry's bytes as they pass. */
export class EntrySum {
  readonly #declared: number | undefined;
  readonly hash: Hash | undefined;
  crc = 0;
  size = 0;

  constructor(declared: number | undefined, sha256: boolean) {
    this.#declared = declared;
    this.hash = sha256 ? createHash('sha256') : undefined;
  }

  /** Counts a chunk; false when it goes past the declared size (the entry then fails). */
  take(chunk: Uint8Array): boolean {
    this.size += chunk.length;
    return this.#declared === undefined || this.size <= this.#declared;
  }

  update(chunk: Uint8Array): void {
    this.crc = crc32(chunk, this.crc);
    this.hash?.update(chunk);
  }
}

/**
 * One streamed entry while its bytes are written. The body sends `header` before any data,
 * alone or at the front of its first chunk, and may send the data descriptor behind its last
 * chunk; whatever it did not send, the writer sends around it.
 */
export interface StreamedEntry {
  readonly header: Buffer;
  readonly declared: number | undefined;
  readonly sum: EntrySum;
  /** The data descriptor of the bytes summed so far. */
  descriptor(): Buffer;
  headerSent: boolean;
  descriptorSent: boolean;
}

/** Where a body sends bytes: `send` false means await `drain()` before sending more. */
export interface EntrySink {
  send(chunk: Uint8Array, written?: () => void): boolean;
  drain(): Promise<void>;
}
