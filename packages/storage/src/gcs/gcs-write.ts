import type { Writable } from 'node:stream';
import type { File } from '@google-cloud/storage';
import type { WriteSink } from '../core/sink-write.js';
import { StorageStallError } from '../core/transient.js';
import type { CommitResult } from '../storage-driver.js';

/**
 * One resumable-upload session fed by a single streaming request whose body ends only at
 * `commit()`. GCS finalises the object when that body completes, so nothing is visible before;
 * `abort()` destroys the request (and cancels the session), so nothing ever is. The emulator in
 * use finalises on the first PUT of a session, so chunked sessions are not used (see README).
 * A dropped connection cannot be replayed without buffering the whole object: it fails the write
 * with a retryable error and leaves nothing behind; the caller retries the write.
 */
export class GcsStreamSink implements WriteSink {
  private readonly stream: Writable;
  private failure: Error | undefined;
  private sessionUri: string | undefined;
  private size = 0;

  constructor(
    private readonly file: File,
    contentType: string | undefined,
    private readonly stallTimeoutMs: number,
  ) {
    this.stream = file.createWriteStream({
      resumable: true,
      validation: false,
      contentType,
      metadata: contentType ? { contentType } : {},
    });
    this.stream.on('error', (err: Error) => {
      this.failure ??= err;
    });
    this.stream.on('uri', (uri: string) => {
      this.sessionUri = uri;
    });
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    this.size += chunk.length;
    if (this.stream.write(chunk)) return;
    await this.until('drain', 'no upload progress');
  }

  async commit(): Promise<CommitResult> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await this.until('finish', 'no answer to the finished upload');
    const metadata = this.file.metadata;
    const stored = Number(metadata.size);
    if (stored !== this.size) throw new Error(`the store holds ${stored} bytes of ${this.size} sent`);
    return { size: stored, etag: metadata.etag };
  }

  async abort(): Promise<void> {
    if (!this.stream.destroyed) this.stream.destroy(new Error('write aborted'));
    // Real GCS cancels a session on DELETE (answering 499); best effort, the session expires anyway.
    if (this.sessionUri)
      await fetch(this.sessionUri, { method: 'DELETE', signal: AbortSignal.timeout(5000) }).catch(() => {});
  }

  /** Waits for an event, failing on a stream error or on `stallTimeoutMs` without it. */
  private until(event: 'drain' | 'finish', stall: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new StorageStallError(`${stall} for ${this.stallTimeoutMs} ms`);
        this.stream.destroy(err);
        done(err);
      }, this.stallTimeoutMs);
      const onEvent = () => done();
      const onError = (err: Error) => done(err);
      const onClose = () => done(this.failure ?? new Error('the upload stream closed'));
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.stream.off(event, onEvent).off('error', onError).off('close', onClose);
        if (err) {
          this.failure ??= err;
          reject(this.failure);
        } else resolve();
      };
      this.stream.once(event, onEvent).once('error', onError).once('close', onClose);
    });
  }
}
