import type { FileHandle } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';

/** An inclusive-exclusive byte range: `offset` (from 0) and, optionally, how many bytes. */
export interface ByteRange {
  offset: number;
  /** Bytes to read from `offset`; to the end of the object when absent. */
  length?: number;
}

/** What `head` knows of an object. */
export interface ObjectInfo {
  size: number;
  /** The store's entity tag (quotes removed); changes when the object is replaced. */
  etag?: string;
  /** A content checksum the store computed, as `<algorithm>:<value>` (e.g. `md5:…`, `crc32c:…`). */
  checksum?: string;
  mtime?: Date;
}

/** One entry of a listing; `key` is relative to the driver's prefix, like every other key. */
export interface ListEntry {
  key: string;
  size: number;
  etag?: string;
  mtime?: Date;
}

export interface ListOptions {
  /** Entries per page (the store may return fewer). Defaults to 1000. */
  pageSize?: number;
}

export interface WriteOptions {
  /**
   * The expected size in bytes. Drivers size their parts or blocks from it so the object fits
   * the store's part limit; without it they start small and grow the parts as data arrives.
   */
  sizeHint?: number;
  contentType?: string;
}

/** Bound of {@link StorageDriver.sweepIncomplete}. */
export interface SweepOptions {
  /**
   * Leftovers older than this go. It must exceed the longest write: S3 dates an upload from its
   * start (local temp files are touched by every chunk, so there it is the longest pause).
   */
  olderThanMs: number;
}

/** What a committed write produced. */
export interface CommitResult {
  size: number;
  etag?: string;
}

/**
 * A streaming write that becomes visible under its key only at `commit()`.
 *
 * Write the data (or pipe into it), then call `commit()`; it ends the stream if you have not.
 * `abort()`, a stream error or a destroyed stream leaves nothing under the key, and a crash
 * leaves at most invisible leftovers (temp files, uncommitted uploads) that the store or a sweep
 * removes. After `commit()` or `abort()` the write is closed for good.
 */
export interface AtomicWrite extends Writable {
  commit(): Promise<CommitResult>;
  abort(reason?: unknown): Promise<void>;
}

/**
 * The one seam through which the system reads and writes files and objects.
 *
 * Keys are relative (`a/b/c.zip`), validated (no `..` segment, no leading `/`, no NUL, no empty
 * segment) and scoped under the driver's configured prefix. Failures are `AppError`s with
 * `STORAGE_*` codes whose details name the storage and the key, never a secret. Transient
 * failures are retried inside the driver; an error that reaches the caller with
 * `retryable: true` means the retries ran out.
 */
export interface StorageDriver {
  /** A short description for messages and logs, e.g. `s3 bucket "media"` (no secrets). */
  readonly description: string;
  /** Streams an object or a byte range of it; `STORAGE_OBJECT_NOT_FOUND` when absent. */
  read(key: string, options?: { range?: ByteRange }): Promise<Readable>;
  /**
   * Only where objects are files (local): the object opened for positional reads, which the archive
   * writer copies about twice as fast as a stream. The caller closes it. Errors as `read`.
   */
  openFile?(key: string): Promise<FileHandle>;
  /** Size, etag, checksum and mtime of an object; `undefined` when there is none under the key. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Pages of the objects whose keys start with `prefix` (a plain string prefix, not a folder). */
  list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry[]>;
  /** Deletes an object; deleting a missing object succeeds (idempotent). */
  delete(key: string): Promise<void>;
  /** A cheap round trip proving the credentials and the bucket/container/directory work. */
  test(): Promise<void>;
  /**
   * Removes what crashed writes left under the driver's prefix, older than the bound: local temp
   * files, S3 multipart uploads (their parts are billed until aborted). Azure drops uncommitted
   * blocks and GCS expires resumable sessions after a week by themselves, so there it removes
   * nothing. Returns how many leftovers it removed.
   */
  sweepIncomplete(options: SweepOptions): Promise<number>;
  /** Opens an atomic streaming write; see {@link AtomicWrite}. */
  openWrite(key: string, options?: WriteOptions): AtomicWrite;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
