import type { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { AppError } from '@cvat-backup/common';
import { locateCentralDirectory } from './central-directory.js';
import { readCentralRecords } from './central-records.js';
import { EntryVerifier } from './entry-verifier.js';
import type { RandomAccessSource } from './random-access-source.js';
import { DEFAULT_ZIP_LIMITS, type ZipEntry, type ZipLimits } from './zip-entry.js';
import { LOCAL_HEADER_SIZE, METHOD_DEFLATE, SIG_LOCAL_HEADER } from './zip-format.js';

const corrupt = (reason: string) => new AppError('ARCHIVE_CORRUPT', { reason });

/**
 * Random-access zip reader that validates the whole central directory when opened, before any
 * entry can be read. Entries stream out (stored or deflate) through a length and CRC check.
 */
export class ZipReader {
  readonly source: RandomAccessSource;
  /** File entries in central-directory order (directory entries are skipped). */
  readonly entries: readonly ZipEntry[];
  readonly #byName: Map<string, ZipEntry>;

  private constructor(source: RandomAccessSource, entries: ZipEntry[]) {
    this.source = source;
    this.entries = entries;
    this.#byName = new Map(entries.map((e) => [e.name, e]));
  }

  /** Parses and validates the end records and central directory. */
  static async open(source: RandomAccessSource, limits: Partial<ZipLimits> = {}): Promise<ZipReader> {
    const where = await locateCentralDirectory(source);
    const entries = await readCentralRecords(source, where, { ...DEFAULT_ZIP_LIMITS, ...limits });
    return new ZipReader(source, entries);
  }

  get(name: string): ZipEntry | undefined {
    return this.#byName.get(name);
  }

  /** Streams an entry's uncompressed content; the stream errors on a size or CRC mismatch. */
  async openEntry(entry: ZipEntry): Promise<Readable> {
    const start = await this.#dataStart(entry);
    const raw = this.source.stream(start, entry.compressedSize);
    const verifier = new EntryVerifier(entry.name, entry.size, entry.crc32);
    const inflate = entry.method === METHOD_DEFLATE ? createInflateRaw() : undefined;
    const fail = (err: NodeJS.ErrnoException) => verifier.destroy(mapStageError(entry.name, err));
    raw.on('error', fail);
    inflate?.on('error', fail);
    verifier.on('close', () => {
      raw.destroy();
      inflate?.destroy();
    });
    (inflate ? raw.pipe(inflate) : raw).pipe(verifier);
    return verifier;
  }

  /** Reads a whole entry into memory; refuses entries above `maxBytes`. */
  async readEntry(entry: ZipEntry, maxBytes: number): Promise<Buffer> {
    if (entry.size > maxBytes) {
      throw new AppError('ARCHIVE_ENTRY_TOO_LARGE', { entry: entry.name, size: entry.size, limit: maxBytes });
    }
    const parts: Buffer[] = [];
    for await (const chunk of await this.openEntry(entry)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async close(): Promise<void> {
    await this.source.close?.();
  }

  async #dataStart(entry: ZipEntry): Promise<number> {
    const header = await this.source.read(entry.localHeaderOffset, LOCAL_HEADER_SIZE);
    if (header.length < LOCAL_HEADER_SIZE || header.readUInt32LE(0) !== SIG_LOCAL_HEADER) {
      throw corrupt(`the local header of "${entry.name}" is missing`);
    }
    const nameLength = header.readUInt16LE(26);
    const extraLength = header.readUInt16LE(28);
    const name = await this.source.read(entry.localHeaderOffset + LOCAL_HEADER_SIZE, nameLength);
    if (name.toString('utf8') !== entry.name) {
      throw corrupt(`the local header of "${entry.name}" names a different file`);
    }
    const start = entry.localHeaderOffset + LOCAL_HEADER_SIZE + nameLength + extraLength;
    if (start + entry.compressedSize > entry.limit) {
      throw corrupt(`the data of "${entry.name}" runs into the next entry`);
    }
    return start;
  }
}

/** zlib failures mean damaged data; I/O failures of the source stay what they are (retryable). */
function mapStageError(name: string, err: NodeJS.ErrnoException): Error {
  if (err instanceof AppError) return err;
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) {
    return corrupt(`"${name}" cannot be decompressed (${err.message})`);
  }
  return err;
}
