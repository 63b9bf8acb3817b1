import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type ImageHeader, MAX_HEADER_BYTES, probeImage } from './image-header.js';

/**
 * A pass-through that measures what flows by: byte count, md5 (CVAT's manifest checksum) and the image
 * header, read from at most {@link MAX_HEADER_BYTES} kept aside at the start.
 */
export class HeaderProbe extends Transform {
  readonly #md5 = createHash('md5');
  #head: Buffer[] = [];
  #headBytes = 0;
  #header: ImageHeader | null | undefined;
  bytes = 0;

  constructor(private readonly onLimit?: (bytes: number) => Error | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    const over = this.onLimit?.(chunk.length);
    if (over) {
      callback(over);
      return;
    }
    this.#md5.update(chunk);
    if (this.#header === undefined) {
      this.#head.push(chunk);
      this.#headBytes += chunk.length;
      const probed = probeImage(Buffer.concat(this.#head));
      if (probed !== 'need-more') this.#settle(probed);
      else if (this.#headBytes >= MAX_HEADER_BYTES) this.#settle(null);
      else if (this.#head.length > 1) this.#head = [Buffer.concat(this.#head)];
    }
    callback(null, chunk);
  }

  #settle(header: ImageHeader | null) {
    this.#header = header;
    this.#head = [];
  }

  /** The header once the stream has ended (null: not a known image). */
  get header(): ImageHeader | null {
    return this.#header ?? null;
  }

  get checksum(): string {
    return this.#md5.copy().digest('hex');
  }
}
