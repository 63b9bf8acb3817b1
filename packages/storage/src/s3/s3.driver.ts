import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { type AppError, AppError as CodedError } from '@cvat-backup/common';
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
import { mapS3Error } from './s3-errors.js';
import { abortStaleUploads } from './s3-sweep.js';
import { S3MultipartBackend } from './s3-upload.js';

export interface S3Config extends TransferOptions {
  kind: 's3';
  bucket: string;
  /** Any S3-compatible endpoint (MinIO, Ceph, …); AWS when absent. */
  endpoint?: string;
  /** Default `us-east-1`. */
  region?: string;
  /** Path-style addressing; default on when `endpoint` is set (most S3-compatible servers need it). */
  forcePathStyle?: boolean;
  /** Access key pair; absent = the SDK's default chain (environment, instance role…). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Unsigned requests to a public bucket (CVAT's ANONYMOUS_ACCESS). */
  anonymous?: boolean;
}

const S3_LIMITS = {
  maxParts: 10_000,
  minPartSize: 5 * 1024 * 1024,
  maxPartSize: 5 * 1024 ** 3,
  maxObjectSize: 5 * 1024 ** 4,
};

const unquote = (etag: string | undefined) => etag?.replace(/^"|"$/g, '');

/** S3 and S3-compatible stores through `@aws-sdk/client-s3`; writes are multipart uploads. */
export class S3Driver implements StorageDriver {
  readonly description: string;
  private readonly client: S3Client;
  private readonly scope: KeyScope;
  private readonly transfer: ResolvedTransfer;

  constructor(private readonly config: S3Config) {
    this.transfer = resolveTransfer(config);
    if (!config.bucket)
      throw new CodedError('STORAGE_CONFIG_INVALID', { problems: 's3: bucket is required' });
    this.scope = new KeyScope(config.prefix);
    this.description = `s3 bucket "${config.bucket}"`;
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region ?? 'us-east-1',
      forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
      credentials: config.anonymous ? { accessKeyId: '', secretAccessKey: '' } : config.credentials,
      // An identity signer sends unsigned requests, which is what a public bucket accepts.
      ...(config.anonymous
        ? { signer: { sign: async <R>(request: R) => request } as S3ClientConfig['signer'] }
        : {}),
      // Streamed bodies must not get aws-chunked framing, which S3-compatible servers store as data.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Retries are ours (jittered, per request/part, with coded errors).
      maxAttempts: 1,
      // The SDK's `requestTimeout` only logs a warning to the console when a request outlives it (a
      // big part at a slow rate is not stalled); our per-attempt deadline bounds a whole request. What
      // the handler can check is a quiet socket: `socketTimeout` fails one idle that long (retried).
      requestHandler: {
        socketTimeout: this.transfer.requestTimeoutMs,
        connectionTimeout: Math.min(this.transfer.requestTimeoutMs, 10_000),
      },
    });
  }

  async read(key: string, options: { range?: ByteRange } = {}): Promise<Readable> {
    const full = this.scope.full(key);
    const describe = { storage: this.description, key };
    const span = toSpan(options.range, describe);
    if (span.end !== undefined && span.end === span.start)
      return emptyRangeRead((k) => this.head(k), key, span.start, describe);
    const open = async (
      start: number,
      end: number | undefined,
      version: string | undefined,
    ): Promise<OpenedRange> => {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.config.bucket,
          Key: full,
          Range:
            start === 0 && end === undefined
              ? undefined
              : `bytes=${start}-${end === undefined ? '' : end - 1}`,
          IfMatch: version,
        }),
      );
      return { body: out.Body as Readable, end: start + (out.ContentLength ?? 0), version: out.ETag };
    };
    try {
      return await resumableRead(open, span.start, span.end, this.readOptions(key));
    } catch (err) {
      if (err instanceof CodedError && err.code === 'STORAGE_RANGE_INVALID')
        return emptyRangeRead((k) => this.head(k), key, span.start, describe);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const full = this.scope.full(key);
    try {
      const out = await this.retrying(key, (abortSignal) =>
        this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: full }), { abortSignal }),
      );
      const etag = unquote(out.ETag);
      return {
        size: out.ContentLength ?? 0,
        etag,
        // A multipart etag ("…-N") is no MD5 of the content.
        checksum: etag && /^[0-9a-f]{32}$/.test(etag) ? `md5:${etag}` : undefined,
        mtime: out.LastModified,
      };
    } catch (err) {
      if (!(err instanceof CodedError) || err.code !== 'STORAGE_OBJECT_NOT_FOUND') throw err;
      // HEAD answers a bare 404 for a missing bucket too; tell the two apart.
      await this.retrying(key, (abortSignal) =>
        this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }), { abortSignal }),
      ).catch((bucketErr: AppError) => {
        throw bucketErr.code === 'STORAGE_OBJECT_NOT_FOUND'
          ? new CodedError('STORAGE_BUCKET_NOT_FOUND', { storage: this.description, key, reason: 'HTTP 404' })
          : bucketErr;
      });
      return undefined;
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry[]> {
    const full = this.scope.fullPrefix(prefix);
    let token: string | undefined;
    do {
      const out = await this.retrying(prefix, (abortSignal) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.config.bucket,
            Prefix: full,
            MaxKeys: options.pageSize ?? 1000,
            ContinuationToken: token,
          }),
          { abortSignal },
        ),
      );
      const page = (out.Contents ?? []).map((o) => ({
        key: this.scope.relative(o.Key ?? ''),
        size: o.Size ?? 0,
        etag: unquote(o.ETag),
        mtime: o.LastModified,
      }));
      if (page.length > 0) yield page;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    const full = this.scope.full(key);
    await this.retrying(key, (abortSignal) =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: full }), { abortSignal }),
    );
  }

  async test(): Promise<void> {
    await this.retrying('', (abortSignal) =>
      this.client.send(
        new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.scope.prefix, MaxKeys: 1 }),
        { abortSignal },
      ),
    );
  }

  openWrite(key: string, options: WriteOptions = {}): AtomicWrite {
    const full = this.scope.full(key);
    const map = (err: unknown) => mapS3Error(err, this.description, key);
    const plan = planParts(S3_LIMITS, this.transfer.partSize, options.sizeHint, {
      storage: this.description,
      key,
    });
    const backend = new S3MultipartBackend(this.client, this.config.bucket, full, options.contentType);
    const sink = new PartUploader(backend, {
      plan,
      queueSize: this.transfer.queueSize,
      retry: this.transfer.retry,
      map,
      attemptTimeoutMs: attemptTimeout(this.transfer),
    });
    return new SinkWrite(mappedSink(sink, map), { storage: this.description, key });
  }

  /** Aborts multipart uploads under the prefix older than the bound (crashed writers' parts). */
  sweepIncomplete(options: SweepOptions): Promise<number> {
    return abortStaleUploads(this.client, this.config.bucket, this.scope.prefix, options.olderThanMs, (op) =>
      this.retrying('', op),
    );
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Retries `op`; each attempt gets the request timeout (passed on as a signal where the SDK takes one). */
  private retrying<T>(key: string, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const map = (err: unknown) => mapS3Error(err, this.description, key);
    return withDeadlineRetry(op, this.transfer.retry, map, this.transfer.requestTimeoutMs);
  }

  private readOptions(key: string) {
    return {
      retry: this.transfer.retry,
      idleTimeoutMs: this.transfer.requestTimeoutMs,
      map: (err: unknown) => mapS3Error(err, this.description, key),
    };
  }
}
