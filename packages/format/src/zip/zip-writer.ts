import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { AppError } from '@cvat-backup/common';
import { toDosDateTime } from './dos-time.js';
import { entryNameProblem, isDirectoryName } from './entry-name.js';
import { type EntrySink, EntrySum, type StreamedEntry } from './entry-sum.js';
import { ChunkRing, type ReadableFile } from './file-chunks.js';
import { copyFile } from './file-copy.js';
import { MAX_16, MAX_32 } from './zip-format.js';
import {
  type CentralRecord,
  centralHeader,
  dataDescriptor,
  endRecord,
  localHeader,
  zip64EndRecord,
  zip64Locator,
} from './zip-records.js';

/** What the writer knows of one written entry. */
export interface WrittenEntry {
  name: string;
  size: number;
  crc32: number;
  /** Hex SHA-256 of the content, when the writer was asked to hash. */
  sha256?: string;
}

export interface ZipWriterOptions {
  /** Compute a SHA-256 of every entry (for an integrity manifest). Default false. */
  sha256?: boolean;
  /** Timestamp of entries added without `mtime`. Default: the time the writer was created. */
  defaultMtime?: Date;
  /** End the output after the central directory is written. Default true. */
  endOutput?: boolean;
  /** Called after every entry, for progress reporting. */
  onEntry?: (entry: WrittenEntry, bytesWritten: number) => void;
}

export interface ZipEntryOptions {
  mtime?: Date;
  /**
   * Expected content length. When given and below 4 GiB the local header stays plain zip; a
   * different actual length is an error. Unknown lengths get ZIP64-ready local headers.
   */
  size?: number;
}

/**
 * Store-only streaming zip writer. Entries are copied as they are (never recompressed), CRC-32 is
 * computed with Node's native `zlib.crc32`, and every write waits for `drain` when the output
 * asks for it, so memory stays at one chunk per entry whatever the archive size. ZIP64 records
 * appear only where a size, offset or count needs them. Entries must be added one at a time.
 */
export class ZipWriter {
  readonly #out: Writable;
  readonly #options: ZipWriterOptions;
  readonly #records: CentralRecord[] = [];
  readonly #names = new Set<string>();
  readonly #ring: ChunkRing;
  readonly #sink: EntrySink = {
    send: (chunk, written) => this.#send(chunk, written),
    drain: () => this.#waitFor('drain'),
  };
  #offset = 0;
  #busy = false;
  #finished = false;
  #failure: Error | undefined;

  constructor(output: Writable, options: ZipWriterOptions = {}) {
    this.#out = output;
    this.#options = { endOutput: true, sha256: false, defaultMtime: new Date(), ...options };
    this.#ring = new ChunkRing(output);
    output.on('error', (err: Error) => {
      this.#failure ??= err;
    });
  }

  /** Bytes handed to the output so far. */
  get bytesWritten(): number {
    return this.#offset;
  }

  get entryCount(): number {
    return this.#records.length;
  }

  /** Adds a small entry held in memory (JSON documents); its header carries the sizes directly. */
  async addBuffer(name: string, data: Buffer, options: ZipEntryOptions = {}): Promise<WrittenEntry> {
    return this.#exclusive(name, async (nameBytes) => {
      const crc = crc32(data);
      const needs64 = data.length >= MAX_32;
      const { time, date } = toDosDateTime(options.mtime ?? this.#options.defaultMtime!);
      const offset = this.#offset;
      await this.#write(
        localHeader(nameBytes, { crc, size: data.length, time, date, streamed: false, needs64 }),
      );
      await this.#write(data);
      this.#records.push({ name: nameBytes, crc, size: data.length, offset, time, date });
      return this.#done(name, data.length, crc, this.#options.sha256 ? sha256Hex(data) : undefined);
    });
  }

  /**
   * Streams an entry of possibly unknown length from any async iterable of bytes (a `Readable`
   * is one). The source is pulled only as fast as the output accepts bytes.
   */
  async addStream(
    name: string,
    source: AsyncIterable<Uint8Array | string>,
    options: ZipEntryOptions = {},
  ): Promise<WrittenEntry> {
    return this.#streamed(name, options, async (entry) => {
      await this.#write(entry.header);
      entry.headerSent = true;
      for await (const piece of source) {
        const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
        if (!entry.sum.take(chunk)) break;
        // Hand the chunk to the output first: checksums are computed while it is being written.
        const drained = this.#send(chunk);
        entry.sum.update(chunk);
        if (!drained) await this.#waitFor('drain');
      }
    });
  }

  /**
   * Copies an entry from a file (a `FileHandle`, say): positional reads into recycled buffers,
   * few and large writes. Faster than `addStream` of a read stream of the same file. The file is
   * closed when done, also on failure. A file longer or shorter than a declared size is an error.
   */
  async addFile(name: string, file: ReadableFile, options: ZipEntryOptions = {}): Promise<WrittenEntry> {
    try {
      return await this.#streamed(name, options, (entry) => copyFile(file, entry, this.#ring, this.#sink));
    } finally {
      await file.close();
    }
  }

  /** An entry whose sizes follow its data in a data descriptor; `body` sends the data. */
  async #streamed(
    name: string,
    options: ZipEntryOptions,
    body: (entry: StreamedEntry) => Promise<void>,
  ): Promise<WrittenEntry> {
    return this.#exclusive(name, async (nameBytes) => {
      const declared = options.size;
      const needs64 = declared === undefined || declared >= MAX_32;
      const { time, date } = toDosDateTime(options.mtime ?? this.#options.defaultMtime!);
      const offset = this.#offset;
      const sum = new EntrySum(declared, this.#options.sha256 === true);
      const entry: StreamedEntry = {
        header: localHeader(nameBytes, { crc: 0, size: 0, time, date, streamed: true, needs64 }),
        declared,
        sum,
        descriptor: () => dataDescriptor(sum.crc, sum.size, needs64),
        headerSent: false,
        descriptorSent: false,
      };
      await body(entry);
      if (!entry.headerSent) await this.#write(entry.header);
      if (declared !== undefined && sum.size !== declared) {
        throw new AppError('FORMAT_ENTRY_SIZE_MISMATCH', {
          entry: name,
          expected: declared,
          actual: sum.size,
        });
      }
      if (!entry.descriptorSent) await this.#write(entry.descriptor());
      this.#records.push({ name: nameBytes, crc: sum.crc, size: sum.size, offset, time, date });
      return this.#done(name, sum.size, sum.crc, sum.hash?.digest('hex'));
    });
  }

  /** Writes the central directory and end records, then (by default) ends the output. */
  async finish(): Promise<{ bytes: number; entries: number }> {
    if (this.#busy) throw new Error('ZipWriter.finish() called while an entry is being written');
    if (this.#finished) throw new Error('ZipWriter.finish() called twice');
    this.#finished = true;
    const cdOffset = this.#offset;
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    for (const record of this.#records) {
      const header = centralHeader(record);
      pending.push(header);
      pendingBytes += header.length;
      if (pendingBytes >= 1 << 16) {
        await this.#write(Buffer.concat(pending));
        pending.length = 0;
        pendingBytes = 0;
      }
    }
    if (pending.length > 0) await this.#write(Buffer.concat(pending));
    const cdSize = this.#offset - cdOffset;
    const count = this.#records.length;
    if (count >= MAX_16 || cdSize >= MAX_32 || cdOffset >= MAX_32) {
      const eocd64Offset = this.#offset;
      await this.#write(zip64EndRecord(count, cdSize, cdOffset));
      await this.#write(zip64Locator(eocd64Offset));
    }
    await this.#write(endRecord(count, cdSize, cdOffset));
    if (this.#options.endOutput) await this.#end();
    return { bytes: this.#offset, entries: count };
  }

  async #exclusive(name: string, body: (nameBytes: Buffer) => Promise<WrittenEntry>): Promise<WrittenEntry> {
    if (this.#busy) throw new Error(`ZipWriter: "${name}" added while another entry is being written`);
    if (this.#finished) throw new Error(`ZipWriter: "${name}" added after finish()`);
    const problem = isDirectoryName(name) ? 'directory entries are not written' : entryNameProblem(name);
    if (problem) throw new AppError('FORMAT_ENTRY_NAME_INVALID', { entry: name, reason: problem });
    if (this.#names.has(name))
      throw new AppError('FORMAT_ENTRY_NAME_INVALID', { entry: name, reason: 'duplicate' });
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length > MAX_16) {
      throw new AppError('FORMAT_ENTRY_NAME_INVALID', { entry: name, reason: 'longer than 65,535 bytes' });
    }
    this.#busy = true;
    try {
      const entry = await body(nameBytes);
      this.#names.add(name);
      return entry;
    } finally {
      this.#busy = false;
    }
  }

  #done(name: string, size: number, crc: number, sha256: string | undefined): WrittenEntry {
    const entry: WrittenEntry =
      sha256 === undefined ? { name, size, crc32: crc } : { name, size, crc32: crc, sha256 };
    this.#options.onEntry?.(entry, this.#offset);
    return entry;
  }

  async #write(chunk: Uint8Array): Promise<void> {
    if (!this.#send(chunk)) await this.#waitFor('drain');
  }

  /** Writes without waiting; false means wait for 'drain' before the next write. */
  #send(chunk: Uint8Array, written?: () => void): boolean {
    if (this.#failure) throw this.#failure;
    this.#offset += chunk.length;
    return this.#out.write(chunk, written);
  }

  async #end(): Promise<void> {
    if (this.#failure) throw this.#failure;
    const done = this.#waitFor('finish');
    this.#out.end();
    await done;
  }

  #waitFor(event: 'drain' | 'finish'): Promise<void> {
    const out = this.#out;
    return new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        out.off(event, onEvent);
        out.off('error', onError);
        out.off('close', onClose);
      };
      const onEvent = () => {
        cleanup();
        resolve();
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onClose = () => {
        cleanup();
        if (event === 'finish' && out.writableFinished) resolve();
        else reject(this.#failure ?? new Error('zip output closed before the archive was complete'));
      };
      out.on(event, onEvent);
      out.on('error', onError);
      out.on('close', onClose);
    });
  }
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
