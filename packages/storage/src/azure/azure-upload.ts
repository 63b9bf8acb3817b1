import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlockBlobClient } from '@azure/storage-blob';
import { lengthOf, type PartBackend } from '../core/part-uploader.js';
import type { CommitResult } from '../storage-driver.js';

/**
 * Azure block-blob steps: blocks are staged (invisible) and published by `commitBlockList` only.
 * Uncommitted blocks cannot be deleted through the API; Azure drops them after a week, and a
 * later commit of the same blob ignores them, so they are never visible.
 */
export class AzureBlockBackend implements PartBackend<string> {
  // Block ids must have one length within a blob; a random upload id keeps concurrent writers apart.
  private readonly uploadId = randomBytes(8).toString('hex');

  constructor(
    private readonly blob: BlockBlobClient,
    private readonly contentType: string | undefined,
  ) {}

  async begin(): Promise<void> {}

  uploadPart(n: number, data: Buffer, signal: AbortSignal): Promise<string> {
    return this.uploadPieces(n, [data], signal);
  }

  /**
   * Stages the block from the pieces it was written in, streamed (a fresh stream per attempt):
   * joining them first cost a copy of every byte into a new 8 MiB buffer, most of the write's CPU.
   */
  async uploadPieces(n: number, pieces: readonly Buffer[], signal: AbortSignal): Promise<string> {
    const id = Buffer.from(`${this.uploadId}-${String(n).padStart(6, '0')}`).toString('base64');
    const length = lengthOf(pieces);
    const body = pieces.length === 1 ? pieces[0]! : () => Readable.from(pieces, { objectMode: false });
    await this.blob.stageBlock(id, body, length, { abortSignal: signal });
    return id;
  }

  async complete(ids: string[], signal: AbortSignal): Promise<CommitResult> {
    const out = await this.blob.commitBlockList(ids, {
      abortSignal: signal,
      blobHTTPHeaders: this.contentType ? { blobContentType: this.contentType } : undefined,
    });
    return { size: 0, etag: out.etag?.replace(/^"|"$/g, '') };
  }

  async putWhole(data: Buffer, signal: AbortSignal): Promise<CommitResult> {
    const out = await this.blob.upload(data, data.length, {
      abortSignal: signal,
      blobHTTPHeaders: this.contentType ? { blobContentType: this.contentType } : undefined,
    });
    return { size: data.length, etag: out.etag?.replace(/^"|"$/g, '') };
  }

  async discard(): Promise<void> {}
}
