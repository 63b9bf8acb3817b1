import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/** `total` random bytes in chunks of `chunk`, generated on the fly; `digest()` hashes what was sent. */
export function randomStream(total: number, chunk = 1024 * 1024): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  const stream = new Readable({
    highWaterMark: chunk,
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, total - sent);
      const data = randomBytes(n);
      hash.update(data);
      sent += n;
      this.push(data);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Hashes a stream and counts its bytes without keeping it. */
export async function digestOf(
  stream: AsyncIterable<unknown>,
  onChunk?: () => void,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onChunk?.();
  }
  return { sha256: hash.digest('hex'), size };
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Samples RSS and external Buffer memory; `peakGrowth()` is the most either grew over the start. */
export function memoryProbe(every = 8): {
  sample: () => void;
  peakGrowth: () => { rss: number; buffers: number };
} {
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakBuffers = start.arrayBuffers;
  let calls = 0;
  const sample = () => {
    if (calls++ % every !== 0) return;
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
  };
  return {
    sample,
    peakGrowth: () => ({ rss: peakRss - start.rss, buffers: peakBuffers - start.arrayBuffers }),
  };
}
