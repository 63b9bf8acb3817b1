import type { Readable } from 'node:stream';
import type { BlobItem, ContainerClient } from '@azure/storage-blob';
import { AppError } from '@cvat-backup/common';
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
import { type AzureAuth, azureServiceClient } from './azure-client.js';
import { mapAzureError } from './azure-errors.js';
import { AzureBlockBackend } from './azure-upload.js';

export interface AzureConfig extends TransferOptions, AzureAuth {
  kind: 'azure';
  container: string;
}

const AZURE_LIMITS = {
  maxParts: 50_000,
  minPartSize: 1024 * 1024,
  maxPartSize: 4000 * 1024 * 1024,
  maxObjectSize: 5 * 1024 ** 4,
};

const unquote = (etag: string | undefined) => etag?.replace(/^"|"$/g, '');

/** Azure Blob Storage block blobs through `@azure/storage-blob`; writes are staged blocks. */
export class AzureDriver implements StorageDriver {
  readonly description: string;
  private readonly container: ContainerClient;
  private readonly scope: KeyScope;
  private readonly transfer: ResolvedTransfer;

  constructor(config: AzureConfig) {
    this.transfer = resolveTransfer(config);
    if (!config.container)
      throw new AppError('STORAGE_CONFIG_INVALID', { problems: 'azure: container is required' });
    this.scope = new KeyScope(config.prefix);
    this.description = `azure container "${config.container}"`;
    const service = azureServiceClient(config, {
      // Retries and client-side deadlines are ours; `tryTimeoutInMs` only asks the server to give
      // up on its side (a hung connection is cut by our own deadline per attempt).
      retryOptions: { maxTries: 1, tryTimeoutInMs: this.transfer.requestTimeoutMs },
    });
    this.container = service.getContainerClient(config.container);
  }

  async read(key: string, options: { range?: ByteRange } = {}): Promise<Readable> {
    const blob = this.container.getBlobClient(this.scope.full(key));
    const describe = { storage: this.description, key };
    const span = toSpan(options.range, describe);
    if (span.end !== undefined && span.end === span.start)
      return emptyRangeRead((k) => this.head(k), key, span.start, describe);
    const open = async (
      start: number,
      end: number | undefined,
      version: string | undefined,
    ): Promise<OpenedRange> => {
      const out = await blob.download(start, end === undefined ? undefined : end - start, {
        conditions: version ? { ifMatch: version } : undefined,
        maxRetryRequests: 0,
      });
      if (!out.readableStreamBody) throw new Error('the download has no body');
      return {
        body: out.readableStreamBody as Readable,
        end: start + (out.contentLength ?? 0),
        version: out.etag,
      };
    };
    try {
      return await resumableRead(open, span.start, span.end, this.readOptions(key));
    } catch (err) {
      if (err instanceof AppError && err.code === 'STORAGE_RANGE_INVALID')
        return emptyRangeRead((k) => this.head(k), key, span.start, describe);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const blob = this.container.getBlobClient(this.scope.full(key));
    try {
      const out = await this.retrying(key, (abortSignal) => blob.getProperties({ abortSignal }));
      return {
        size: out.contentLength ?? 0,
        etag: unquote(out.etag),
        checksum: out.contentMD5 ? `md5:${Buffer.from(out.contentMD5).toString('hex')}` : undefined,
        mtime: out.lastModified,
      };
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'STORAGE_OBJECT_NOT_FOUND') throw err;
      await this.test(key);
      return undefined;
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry[]> {
    const full = this.scope.fullPrefix(prefix);
    let token: string | undefined;
    do {
      // A fresh iterator per attempt: one that failed is spent and would read as an empty page.
      const out = await this.retrying(prefix, async (abortSignal) => {
        const next = await this.container
          .listBlobsFlat({ prefix: full, abortSignal })
          .byPage({ maxPageSize: options.pageSize ?? 1000, continuationToken: token })
          .next();
        if (next.done) throw new Error('the listing answered no page');
        return next.value;
      });
      const page = out.segment.blobItems.map((b: BlobItem) => ({
        key: this.scope.relative(b.name),
        size: b.properties.contentLength ?? 0,
        etag: unquote(b.properties.etag),
        mtime: b.properties.lastModified,
      }));
      if (page.length > 0) yield page;
      token = out.continuationToken || undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    const blob = this.container.getBlobClient(this.scope.full(key));
    await this.retrying(key, (abortSignal) => blob.deleteIfExists({ abortSignal }));
  }

  /** One listing request of at most one blob: proves the credentials and the container. */
  async test(key = ''): Promise<void> {
    await this.retrying(key, async (abortSignal) => {
      await this.container
        .listBlobsFlat({ prefix: this.scope.prefix, abortSignal })
        .byPage({ maxPageSize: 1 })
        .next();
    });
  }

  openWrite(key: string, options: WriteOptions = {}): AtomicWrite {
    const blob = this.container.getBlockBlobClient(this.scope.full(key));
    const map = (err: unknown) => mapAzureError(err, this.description, key);
    const plan = planParts(AZURE_LIMITS, this.transfer.partSize, options.sizeHint, {
      storage: this.description,
      key,
    });
    const backend = new AzureBlockBackend(blob, options.contentType);
    const sink = new PartUploader(backend, {
      plan,
      queueSize: this.transfer.queueSize,
      retry: this.transfer.retry,
      map,
      attemptTimeoutMs: attemptTimeout(this.transfer),
    });
    return new SinkWrite(mappedSink(sink, map), { storage: this.description, key });
  }

  /** Nothing to do: Azure drops uncommitted blocks (the only leftovers of a crashed write) after a week, unseen. */
  async sweepIncomplete(_options: SweepOptions): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}

  /** Retries `op`; each attempt gets the request timeout (passed on as a signal where the SDK takes one). */
  private retrying<T>(key: string, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const map = (err: unknown) => mapAzureError(err, this.description, key);
    return withDeadlineRetry(op, this.transfer.retry, map, this.transfer.requestTimeoutMs);
  }

  private readOptions(key: string) {
    return {
      retry: this.transfer.retry,
      idleTimeoutMs: this.transfer.requestTimeoutMs,
      map: (err: unknown) => mapAzureError(err, this.description, key),
    };
  }
}
