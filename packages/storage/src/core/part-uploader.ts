import type { AppError } from '@cvat-backup/common';
import type { CommitResult } from '../storage-driver.js';
import type { PartPlan } from './part-plan.js';
import { type RetryPolicy, withDeadlineRetry, withRetry } from './retry.js';
import type { WriteSink } from './sink-write.js';

/** The store-specific steps of a parted upload (S3 multipart, Azure staged blocks). */
export interface PartBackend<P> {
  /** Starts the upload (CreateMultipartUpload); called once, before the first part. */
  begin(signal: AbortSignal): Promise<void>;
  /** Sends part `n` (1-based). Called again on transient failures, with the same buffer. */
  uploadPart(n: number, data: Buffer, signal: AbortSignal): Promise<P>;
  /**
   * Sends part `n` as the pieces it was written in, when the backend can send them as they are
   * (one copy of every byte fewer than joining them; that copy is most of a write's CPU).
   */
  uploadPieces?(n: number, pieces: readonly Buffer[], signal: AbortSignal): Promise<P>;
  /** Publishes the parts as the object (CompleteMultipartUpload, commitBlockList). */
  complete(parts: P[], signal: AbortSignal): Promise<CommitResult>;
  /** Publishes a small object in one request when it never filled a part. */
  putWhole(data: Buffer, signal: AbortSignal): Promise<CommitResult>;
  /** Throws the upload away (AbortMultipartUpload); errors are swallowed by the caller. */
  discard(): Promise<void>;
}

export interface PartUploaderOptions {
  plan: PartPlan;
  /** Parts in flight at once, while one more fills; memory is about `(queueSize + 1) × partSize`. */
  queueSize: number;
  retry: RetryPolicy;
  map: (err: unknown) => AppError;
  /**
   * How long one attempt carrying `bytes` may take before it is cancelled and retried; this is
   * what un-sticks a stalled connection whatever the SDK's own timeouts do.
   */
  attemptTimeoutMs: (bytes: number) => number;
}

/**
 * A {@link WriteSink} that cuts the stream into parts and uploads up to `queueSize` of them at
 * once, each retried on its own. A write waits while the queue is full, so memory stays bounded.
 * A failed part aborts the whole upload; only `commit()` completes it.
 */
export class PartUploader<P> implements WriteSink {
  private readonly controller = new AbortController();
  private chunks: Buffer[] = [];
  private buffered = 0;
  private partNumber = 1;
  private begun: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly parts: P[] = [];
  private failure: AppError | undefined;
  private size = 0;

  constructor(
    private readonly backend: PartBackend<P>,
    private readonly options: PartUploaderOptions,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.size += chunk.length;
    for (;;) {
      const partSize = this.options.plan(this.partNumber);
      if (this.buffered < partSize) break;
      await this.startPart(this.take(partSize));
    }
  }

  async commit(): Promise<CommitResult> {
    this.throwIfFailed();
    const rest = this.take(this.buffered);
    if (this.partNumber === 1) {
      const whole = joined(rest);
      const done = await this.retrying(whole.length, (signal) => this.backend.putWhole(whole, signal));
      return { ...done, size: this.size };
    }
    if (rest.length > 0) await this.startPart(rest);
    await Promise.all(this.inFlight);
    this.throwIfFailed();
    const result = await this.retrying(0, (signal) => this.backend.complete(this.parts, signal));
    return { ...result, size: this.size };
  }

  async abort(): Promise<void> {
    this.controller.abort();
    this.chunks = [];
    await Promise.allSettled([...this.inFlight, this.begun]);
    if (this.begun)
      await withRetry(() => this.backend.discard(), this.options.retry, this.options.map).catch(() => {});
  }

  /** The first `n` buffered bytes, as the pieces they were written in (the last one cut). */
  private take(n: number): Buffer[] {
    let count = 0;
    let bytes = 0;
    while (bytes < n) bytes += this.chunks[count++]!.length;
    const out = this.chunks.splice(0, count);
    if (bytes > n) {
      // The last piece straddles the boundary: its rest starts the next part.
      const last = out[count - 1]!;
      const keep = last.length - (bytes - n);
      out[count - 1] = last.subarray(0, keep);
      this.chunks.unshift(last.subarray(keep));
    }
    this.buffered -= n;
    return out;
  }

  private async startPart(pieces: Buffer[]): Promise<void> {
    const n = this.partNumber++;
    this.begun ??= this.retrying(0, (signal) => this.backend.begin(signal));
    await this.begun;
    // Wait for a slot before sending, not after: the caller then fills the next part while
    // `queueSize` parts travel (with queueSize 1, a GCS session's one chunk at a time still
    // overlaps with reading the next one).
    while (this.inFlight.size >= this.options.queueSize) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const { backend } = this;
    const bytes = lengthOf(pieces);
    let send: (signal: AbortSignal) => Promise<P>;
    if (backend.uploadPieces) send = (signal) => backend.uploadPieces!(n, pieces, signal);
    else {
      const whole = joined(pieces);
      send = (signal) => backend.uploadPart(n, whole, signal);
    }
    const task = this.retrying(bytes, send).then(
      (part) => {
        this.parts[n - 1] = part;
      },
      (err: AppError) => {
        this.failure ??= err;
        this.controller.abort();
      },
    );
    const tracked = task.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Retries `op`, each attempt cancelled (as a transient stall) when it outlives its timeout. */
  private retrying<T>(bytes: number, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { retry, map, attemptTimeoutMs } = this.options;
    return withDeadlineRetry(op, retry, map, attemptTimeoutMs(bytes), this.controller.signal);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/** How many bytes the pieces of a part hold. */
export function lengthOf(pieces: readonly Buffer[]): number {
  return pieces.reduce((sum, p) => sum + p.length, 0);
}

/** The pieces as one buffer; copies only when there are several. */
function joined(pieces: Buffer[]): Buffer {
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}
