import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through and fails the stream with `tooLarge()` as soon as more than `limit` bytes went
 * by, so an oversized upload stops at the limit instead of filling the disk first.
 */
export class ByteLimit extends Transform {
  bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) callback(this.tooLarge());
    else callback(null, chunk);
  }
}
