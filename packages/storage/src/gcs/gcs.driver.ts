import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { AppError } from '@cvat-backup/common';
import { type Bucket, type File, Storage, type StorageOptions } from '@google-cloud/storage';
import {
  attemptTimeout,
  type ResolvedTransfer,
  resolveTransfer,
  type TransferOptions,
} from '../core/driver-options.js';
import { KeyScope } from '../core/keys.js';
import { planParts } from '../core/part-plan.js';
import { PartUploader } from '../core/part-uploader.js';
import { emptyRangeRead, toSpan } from '../core/range.js';
import { type OpenedRange, resumableRead } from '../core/resumable-read.js';
import { withDeadlineRetry } from '../core/retry.js';
import { mappedSink, SinkWrite } from '../core/sink-write.js';
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
import { mapGcsError } from './gcs-errors.js';
import { GCS_CHUNK_QUANTUM, GcsChunkBackend } from './gcs-upload.js';

/** `partSize` is the resumable-upload chunk (rounded up to MiB); chunks go one at a time. */
export interface GcsConfig extends Omit<TransferOptions, 'queueSize'> {
  kind: 'gcs';
  bucket: string;
  /** Path of a service-account key JSON (CVAT's KEY_FILE_PATH). */
  keyFile?: string;
  /** The parsed service-account key, instead of a file. */
  credentials?: { client_email: string; private_key: string };
  projectId?: string;
  /** Another JSON-API endpoint (an emulator); unauthenticated unless key credentials are given. */
  apiEndpoint?: string;
}

// GCS has no part limit; these bound chunk sizes as S3 does, so hints size chunks sensibly.
const GCS_LIMITS = {
  maxParts: 10_000,
  minPartSize: GCS_CHUNK_QUANTUM,
  maxPartSize: 5 * 1024 ** 3,
  maxObjectSize: 5 * 1024 ** 4,
};

/** Google Cloud Storage through `@google-cloud/storage`; writes are chunked resumable uploads. */
export class GcsDriver implements StorageDriver {
  readonly description: string;
  private readonly bucket: Bucket;
  private readonly scope: KeyScope;
  private readonly transfer: ResolvedTransfer;
  private readonly authHeaders: () => Promise<Record<string, string>>;

  constructor(config: GcsConfig) {
    this.transfer = resolveTransfer(config);
    if (!config.bucket) throw new AppError('STORAGE_CONFIG_INVALID', { problems: 'gcs: bucket is required' });
    this.scope = new KeyScope(config.prefix);
    this.description = `gcs bucket "${config.bucket}"`;
    const keyed = config.keyFile !== undefined || config.credentials !== undefined;
    const options: StorageOptions = {
      projectId: config.projectId ?? config.credentials?.client_email.split('@')[1]?.split('.')[0],
      apiEndpoint: config.apiEndpoint,
      keyFilename: config.keyFile,
      credentials: config.credentials,
      useAuthWithCustomEndpoint: keyed,
      timeout: this.transfer.requestTimeoutMs,
      // Retries are ours (jittered, coded); the library's would retry non-idempotent uploads blindly.
      retryOptions: { autoRetry: false, maxRetries: 0 },
    };
    const storage = new Storage(options);
    this.bucket = storage.bucket(config.bucket);
    // Chunks are sent by us; they carry the library's credentials unless it would send none.
    const authed = keyed || config.apiEndpoint === undefined;
    this.authHeaders = async () =>
      authed
        ? Object.fromEntries(
            new Headers(
              (await storage.authClient.getRequestHeaders()) as ConstructorParameters<typeof Headers>[0],
            ),
          )
        : {};
  }

  async read(key: string, options: { range?: ByteRange } = {}): Promise<Readable> {
    const name = this.scope.full(key);
    const describe = { storage: this.description, key };
    const span = toSpan(options.range, describe);
    if (span.end !== undefined && span.end === span.start)
      return emptyRangeRead((k) => this.head(k), key, span.start, describe);
    const open = (start: number, end: number | undefined, version: string | undefined) =>
      this.openRange(this.bucket.file(name, version ? { generation: Number(version) } : {}), start, end);
    try {
      return await resumableRead(open, span.start, span.end, this.readOptions(key));
    } catch (err) {
      if (err instanceof AppError && err.code === 'STORAGE_RANGE_INVALID')
        return emptyRangeRead((k) => this.head(k), key, span.start, describe);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.bucket.file(this.scope.full(key));
    try {
      const [m] = await this.retrying(key, () => file.getMetadata());
      const checksum = m.crc32c
        ? `crc32c:${m.crc32c}`
        : m.md5Hash
          ? `md5:${Buffer.from(m.md5Hash, 'base64').toString('hex')}`
          : undefined;
      return {
        size: Number(m.size ?? 0),
        etag: m.etag,
        checksum,
        mtime: m.updated ? new Date(m.updated) : undefined,
      };
    } catch (err) {
      if (err instanceof AppError && err.code === 'STORAGE_OBJECT_NOT_FOUND') return undefined;
      throw err;
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry[]> {
    const full = this.scope.fullPrefix(prefix);
    let pageToken: string | undefined;
    do {
      const [files, next] = await this.retrying(prefix, () =>
        this.bucket.getFiles({
          prefix: full,
          maxResults: options.pageSize ?? 1000,
          pageToken,
          autoPaginate: false,
        }),
      );
      const page = files.map((f) => ({
        key: this.scope.relative(f.name),
        size: Number(f.metadata.size ?? 0),
        etag: f.metadata.etag,
        mtime: f.metadata.updated ? new Date(f.metadata.updated) : undefined,
      }));
      if (page.length > 0) yield page;
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
  }

  async delete(key: string): Promise<void> {
    const file = this.bucket.file(this.scope.full(key));
    await this.retrying(key, () => file.delete({ ignoreNotFound: true }));
  }

  async test(): Promise<void> {
    await this.retrying('', () =>
      this.bucket.getFiles({ prefix: this.scope.prefix, maxResults: 1, autoPaginate: false }),
    );
  }

  openWrite(key: string, options: WriteOptions = {}): AtomicWrite {
    const file = this.bucket.file(this.scope.full(key));
    const map = (err: unknown) => mapGcsError(err, this.description, key);
    const plan = planParts(GCS_LIMITS, this.transfer.partSize, options.sizeHint, {
      storage: this.description,
      key,
    });
    const sink = new PartUploader(new GcsChunkBackend(file, options.contentType, this.authHeaders), {
      plan,
      // A session takes its chunks in order, one at a time.
      queueSize: 1,
      retry: this.transfer.retry,
      map,
      attemptTimeoutMs: attemptTimeout(this.transfer),
    });
    return new SinkWrite(mappedSink(sink, map), { storage: this.description, key });
  }

  /** Nothing to do: GCS expires an unfinished resumable session (the only leftover of a crashed write) after a week. */
  async sweepIncomplete(_options: SweepOptions): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}

  /** Starts a ranged download and waits for its response, so errors surface here. */
  private openRange(file: File, start: number, end: number | undefined): Promise<OpenedRange> {
    return new Promise<OpenedRange>((resolve, reject) => {
      const body = file.createReadStream({
        start,
        end: end === undefined ? undefined : end - 1,
        validation: false,
      });
      body.once('error', reject);
      body.once('response', (res: IncomingMessage) => {
        body.off('error', reject);
        const status = res.statusCode ?? 0;
        if (status >= 300) {
          // The library follows with an ApiError; the status says all we need.
          body.on('error', () => {});
          body.destroy();
          reject(Object.assign(new Error(`HTTP ${status}`), { code: status }));
          return;
        }
        const length = Number(res.headers['content-length'] ?? 0);
        // A server that ignores the range (the emulator does past the end) must not pass as one.
        if (start > 0 && !res.headers['content-range']) {
          body.destroy();
          reject(Object.assign(new Error('the range was not satisfied'), { code: 416 }));
          return;
        }
        const generation = res.headers['x-goog-generation'];
        resolve({
          body,
          end: start + length,
          version: typeof generation === 'string' ? generation : undefined,
        });
      });
      // The library sends the request on the first read; read(0) asks without taking data.
      body.read(0);
    });
  }

  /** Retries `op`; each attempt gets the request timeout (passed on as a signal where the SDK takes one). */
  private retrying<T>(key: string, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const map = (err: unknown) => mapGcsError(err, this.description, key);
    return withDeadlineRetry(op, this.transfer.retry, map, this.transfer.requestTimeoutMs);
  }

  private readOptions(key: string) {
    return {
      retry: this.transfer.retry,
      idleTimeoutMs: this.transfer.requestTimeoutMs,
      map: (err: unknown) => mapGcsError(err, this.description, key),
    };
  }
}
