import { close, createReadStream, fstat, open } from 'node:fs';
import { access, constants, type FileHandle, open as openFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { AppError } from '@cvat-backup/common';
import { KeyScope } from '../core/keys.js';
import { rangePastEnd, toSpan } from '../core/range.js';
import { mappedSink, SinkWrite } from '../core/sink-write.js';
import { storageError } from '../core/storage-error.js';
import type {
  AtomicWrite,
  ByteRange,
  ListEntry,
  ListOptions,
  ObjectInfo,
  StorageDriver,
  SweepOptions,
  WriteOptions,
} from '../storage-driver.js';
import { mapLocalError } from './local-errors.js';
import { sweepTempFiles } from './local-sweep.js';
import { localEtag, walkFiles } from './local-walk.js';
import { LocalFileSink } from './local-write.js';

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const closeFd = promisify(close);

export interface LocalConfig {
  kind: 'local';
  /** The directory that holds the objects; it must exist. */
  root: string;
  /** A folder under `root` every key is scoped to. */
  prefix?: string;
}

/** Files in a directory: atomic writes by temp file, fsync and rename. */
export class LocalDriver implements StorageDriver {
  readonly description: string;
  private readonly root: string;
  private readonly scope: KeyScope;

  constructor(config: LocalConfig) {
    this.root = path.resolve(config.root);
    this.scope = new KeyScope(config.prefix);
    this.description = `local directory "${this.root}"`;
  }

  async read(key: string, options: { range?: ByteRange } = {}): Promise<Readable> {
    const file = this.path(key);
    const span = toSpan(options.range, { storage: this.description, key });
    // A numeric fd with callback streams: FileHandle streams read through promises, markedly slower.
    const fd = await openFd(file, 'r').catch(async (err: unknown) => {
      if ((err as { code?: string }).code === 'ENOENT') await this.rootExists(key);
      throw this.map(err, key);
    });
    try {
      const info = await fstatFd(fd);
      if (!info.isFile()) throw storageError('STORAGE_OBJECT_NOT_FOUND', this.description, key, 'not a file');
      if (span.start > info.size) throw rangePastEnd(span, info.size, { storage: this.description, key });
      const end = Math.min(span.end ?? info.size, info.size);
      if (end <= span.start) {
        await closeFd(fd);
        return Readable.from([], { objectMode: false });
      }
      // The stream's `end` is inclusive.
      return createReadStream(file, { fd, start: span.start, end: end - 1, autoClose: true });
    } catch (err) {
      await closeFd(fd).catch(() => {});
      throw this.map(err, key);
    }
  }

  async openFile(key: string): Promise<FileHandle> {
    const handle = await openFile(this.path(key), 'r').catch(async (err: unknown) => {
      if ((err as { code?: string }).code === 'ENOENT') await this.rootExists(key);
      throw this.map(err, key);
    });
    const info = await handle.stat().catch(async (err: unknown) => {
      await handle.close().catch(() => {});
      throw this.map(err, key);
    });
    if (info.isFile()) return handle;
    await handle.close().catch(() => {});
    throw storageError('STORAGE_OBJECT_NOT_FOUND', this.description, key, 'not a file');
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await stat(this.path(key));
      if (!info.isFile()) return undefined;
      return { size: info.size, etag: localEtag(info), mtime: info.mtime };
    } catch (err) {
      const mapped = this.map(err, key);
      if (mapped.code === 'STORAGE_OBJECT_NOT_FOUND' || (err as { code?: string }).code === 'ENOTDIR')
        return this.rootExists(key).then(() => undefined);
      throw mapped;
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry[]> {
    const pageSize = options.pageSize ?? 1000;
    const full = this.scope.fullPrefix(prefix);
    await this.rootExists(prefix);
    let page: ListEntry[] = [];
    try {
      for await (const entry of walkFiles(this.root, full)) {
        page.push({ ...entry, key: this.scope.relative(entry.key) });
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
    } catch (err) {
      throw this.map(err, prefix);
    }
    if (page.length > 0) yield page;
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return this.rootExists(key);
      throw this.map(err, key);
    }
  }

  async test(): Promise<void> {
    await this.rootExists('');
    await access(this.root, constants.R_OK | constants.W_OK).catch((err: unknown) => {
      throw this.map(err, '');
    });
  }

  openWrite(key: string, _options: WriteOptions = {}): AtomicWrite {
    const file = this.path(key);
    return new SinkWrite(
      mappedSink(new LocalFileSink(file, () => this.rootExists(key)), (err) => this.map(err, key)),
      {
        storage: this.description,
        key,
      },
    );
  }

  /** Removes temp files of crashed writes (older than the bound) under the prefix folder. */
  sweepIncomplete(options: SweepOptions): Promise<number> {
    return sweepTempFiles(path.join(this.root, this.scope.prefix), options.olderThanMs);
  }

  async close(): Promise<void> {}

  private path(key: string): string {
    const file = path.join(this.root, this.scope.full(key));
    // Validated keys cannot escape; this guards the invariant against future changes.
    if (!file.startsWith(this.root + path.sep))
      throw storageError('STORAGE_KEY_INVALID', this.description, key, 'it leaves the storage root');
    return file;
  }

  private async rootExists(key: string): Promise<void> {
    const info = await stat(this.root).catch(() => undefined);
    if (!info?.isDirectory())
      throw storageError('STORAGE_BUCKET_NOT_FOUND', this.description, key, 'the root directory is missing');
  }

  private map(err: unknown, key: string): AppError {
    return mapLocalError(err, this.description, key);
  }
}
