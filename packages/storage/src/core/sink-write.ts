import { Writable } from 'node:stream';
import { AppError } from '@cvat-backup/common';
import type { AtomicWrite, CommitResult } from '../storage-driver.js';

/** What a driver implements to get an {@link AtomicWrite}. Calls never overlap. */
export interface WriteSink {
  /** Takes the next chunk; resolves when it can take another (this is the backpressure). */
  write(chunk: Buffer): Promise<void>;
  /** Makes everything written visible under the key, atomically. */
  commit(): Promise<CommitResult>;
  /** Discards everything written. Must not throw; may run while a `write` is pending. */
  abort(): Promise<void>;
}

type State = 'open' | 'committing' | 'committed' | 'aborted';

/**
 * The one implementation of {@link AtomicWrite}: a Writable feeding a driver's sink, whose
 * `commit()` is the only path to visibility. Ending the stream does not commit (a pipeline that
 * ends is not yet a decision to publish); destroying it, with or without an error, aborts.
 */
export class SinkWrite extends Writable implements AtomicWrite {
  private state: State = 'open';
  private failure: unknown;
  private aborting: Promise<void> | undefined;

  constructor(
    private readonly sink: WriteSink,
    private readonly describe: { storage: string; key: string },
  ) {
    // No auto-destroy: a finished stream is not yet committed, and destroying means aborting.
    super({ highWaterMark: 256 * 1024, autoDestroy: false });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.forward(chunk, callback);
  }

  /** Chunks queued while the sink was busy go as one buffer: fewer round trips (syscalls, awaits). */
  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.forward(
      chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)),
      callback,
    );
  }

  private forward(chunk: Buffer, callback: (error?: Error | null) => void): void {
    this.sink.write(chunk).then(
      () => callback(),
      (err: unknown) => {
        // The sink failed for good (its retries are inside): drop what it holds right away.
        if (this.state === 'open') {
          this.state = 'aborted';
          this.failure ??= err;
          this.aborting = this.sink.abort();
        }
        callback(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error && this.failure === undefined) this.failure = error;
    if (this.state === 'open') {
      this.state = 'aborted';
      this.aborting = this.sink.abort();
    }
    callback(error);
  }

  async commit(): Promise<CommitResult> {
    if (this.state !== 'open') throw this.closedError();
    this.state = 'committing';
    try {
      await this.flushed();
      return await this.sink.commit().then((result) => {
        this.state = 'committed';
        return result;
      });
    } catch (err) {
      this.state = 'aborted';
      this.failure ??= err;
      await this.sink.abort();
      this.destroy();
      throw err;
    }
  }

  async abort(reason?: unknown): Promise<void> {
    if (this.state === 'committed') return;
    if (this.state === 'open') {
      this.state = 'aborted';
      this.failure ??= reason;
      this.aborting = this.sink.abort();
      this.destroy();
    }
    await this.aborting;
  }

  private closedError(): unknown {
    if (this.state === 'aborted' && this.failure instanceof AppError) return this.failure;
    return new AppError('STORAGE_WRITE_CLOSED', {
      ...this.describe,
      state: this.state === 'aborted' ? 'aborted' : 'committed',
      reason: this.failure instanceof Error ? this.failure.message : undefined,
    });
  }

  /** Ends the stream if needed and waits until the sink has taken every chunk. */
  private flushed(): Promise<void> {
    if (this.writableFinished) return Promise.resolve();
    if (this.destroyed || this.errored) return Promise.reject(this.errored ?? this.closedError());
    return new Promise<void>((resolve, reject) => {
      const onFinish = () => {
        cleanup();
        resolve();
      };
      const onError = (err: unknown) => {
        cleanup();
        reject(err);
      };
      const onClose = () => {
        cleanup();
        if (this.writableFinished) resolve();
        else reject(this.errored ?? this.closedError());
      };
      const cleanup = () => {
        this.off('finish', onFinish);
        this.off('error', onError);
        this.off('close', onClose);
      };
      this.on('finish', onFinish);
      this.on('error', onError);
      this.on('close', onClose);
      if (!this.writableEnded) this.end();
    });
  }
}

/** Wraps a sink so every failure leaves it already mapped to a coded error. */
export function mappedSink(sink: WriteSink, map: (err: unknown) => AppError): WriteSink {
  return {
    write: (chunk) => sink.write(chunk).catch((err: unknown) => Promise.reject(map(err))),
    commit: () => sink.commit().catch((err: unknown) => Promise.reject(map(err))),
    abort: () => sink.abort().catch(() => {}),
  };
}
