import http from 'node:http';
import https from 'node:https';
import type { File } from '@google-cloud/storage';
import { lengthOf, type PartBackend } from '../core/part-uploader.js';
import type { CommitResult } from '../storage-driver.js';

/** GCS wants every chunk but the last to be a multiple of this. */
export const GCS_CHUNK_QUANTUM = 256 * 1024;

/** Uploaded metadata GCS answers when a session finishes. */
interface Finished {
  size?: string | number;
  etag?: string;
}

const httpError = (status: number, what: string) =>
  Object.assign(new Error(`${what}: HTTP ${status}`), { code: status });

/**
 * A chunked GCS resumable upload behind the parted-upload machinery (parts go one at a time:
 * queueSize 1). Each chunk is one PUT with its `Content-Range`; GCS answers 308 with the bytes it
 * has persisted. After a failed attempt the retry first asks the session how far it got
 * (`bytes *∕*`) and resends only the rest of the chunk it still holds, so a dropped connection
 * costs one chunk, not the write. The object appears only when the final request names the
 * total size; a lost answer to it is found by the same status query (200 = finished).
 */
export class GcsChunkBackend implements PartBackend<number> {
  private uri: string | undefined;
  private readonly offsets = new Map<number, number>();
  private next = 0;
  private persisted = 0;
  private unsure = false;
  /** A last chunk off the 256 KiB grid: it can only go as the final request. */
  private tail: readonly Buffer[] = [];
  private finished: Finished | undefined;

  constructor(
    private readonly file: File,
    private readonly contentType: string | undefined,
    private readonly authHeaders: () => Promise<Record<string, string>>,
  ) {}

  async begin(): Promise<void> {
    const [uri] = await this.file.createResumableUpload({
      metadata: this.contentType ? { contentType: this.contentType } : {},
    });
    this.uri = uri;
  }

  uploadPart(n: number, data: Buffer, signal: AbortSignal): Promise<number> {
    return this.uploadPieces(n, [data], signal);
  }

  /** Chunks go out as the pieces they were written in: no copy of each chunk before sending. */
  async uploadPieces(n: number, pieces: readonly Buffer[], signal: AbortSignal): Promise<number> {
    const length = lengthOf(pieces);
    let offset = this.offsets.get(n);
    if (offset === undefined) {
      offset = this.next;
      this.offsets.set(n, offset);
      this.next += length;
    }
    if (length % GCS_CHUNK_QUANTUM !== 0) {
      this.tail = pieces;
      return n;
    }
    await this.send(pieces, offset, undefined, signal);
    return n;
  }

  async complete(_parts: number[], signal: AbortSignal): Promise<CommitResult> {
    const total = this.next;
    await this.send(this.tail, total - lengthOf(this.tail), total, signal);
    // A finish learnt from a status query (its own answer lost) may come without the object.
    if (this.finished?.etag === undefined) [this.finished] = await this.file.getMetadata();
    const size = Number(this.finished?.size ?? total);
    if (size !== total) throw new Error(`the store holds ${size} bytes of ${total} sent`);
    return { size, etag: this.finished?.etag };
  }

  async putWhole(data: Buffer, signal: AbortSignal): Promise<CommitResult> {
    await this.begin();
    this.next = data.length;
    this.tail = [data];
    return this.complete([], signal);
  }

  async discard(): Promise<void> {
    // Real GCS cancels a session on DELETE (answering 499); the emulator ignores it. Either way
    // nothing was published, and an unfinished session expires after a week.
    if (this.uri && !this.finished)
      await fetch(this.uri, { method: 'DELETE', signal: AbortSignal.timeout(5000) }).catch(() => {});
  }

  /** Sends `pieces` (bytes `offset…`) as far as GCS lacks them; `total` makes it the final request. */
  private async send(
    pieces: readonly Buffer[],
    offset: number,
    total: number | undefined,
    signal: AbortSignal,
  ) {
    if (this.unsure) await this.request('bytes */*', [], signal);
    this.unsure = true;
    if (this.finished) return this.done();
    const length = lengthOf(pieces);
    const end = offset + length;
    if (total === undefined && this.persisted >= end) return this.done();
    if (this.persisted < offset)
      throw new Error(`the session holds ${this.persisted} bytes, below the ${offset} already confirmed`);
    const rest = skip(pieces, this.persisted - offset);
    const range =
      this.persisted === end ? `bytes */${total}` : `bytes ${this.persisted}-${end - 1}/${total ?? '*'}`;
    await this.request(range, rest, signal);
    if (total !== undefined && !this.finished) throw httpError(308, 'the final request left the upload open');
    if (total === undefined && this.persisted < end)
      throw httpError(503, `the store kept ${this.persisted - offset} of ${length} bytes of a chunk`);
    this.done();
  }

  private done(): void {
    this.unsure = false;
  }

  /** One PUT on the session; records what GCS answered (persisted bytes, or the finished object). */
  private async request(range: string, body: readonly Buffer[], signal: AbortSignal): Promise<void> {
    if (!this.uri) throw new Error('the upload session was not opened');
    const res = await put(this.uri, { ...(await this.authHeaders()), 'content-range': range }, body, signal);
    if (res.status === 308) {
      const persisted = /bytes=0-(\d+)/.exec(res.range ?? '');
      this.persisted = persisted ? Number(persisted[1]) + 1 : 0;
    } else if (res.status === 200 || res.status === 201) {
      this.finished = (() => {
        try {
          return JSON.parse(res.body) as Finished;
        } catch {
          return {};
        }
      })();
    } else {
      throw httpError(res.status, `resumable upload ${range} refused ${res.body.slice(0, 200)}`);
    }
  }
}

// Kept-alive connections for the chunk PUTs, as fetch would keep them.
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/**
 * One PUT through node:http rather than fetch: fetch copies a Buffer body before sending it (a
 * whole chunk per request), which cost the chunked upload about six times the CPU of the
 * library's own uploads. The answer's body is small (a status or the object's metadata).
 */
function put(
  uri: string,
  headers: Record<string, string>,
  body: readonly Buffer[],
  signal: AbortSignal,
): Promise<{ status: number; range: string | undefined; body: string }> {
  const url = new URL(uri);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'PUT',
        agent: agents[url.protocol as 'http:' | 'https:'],
        headers: { ...headers, 'content-length': String(lengthOf(body)) },
        signal,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.once('error', reject);
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            range: res.headers.range,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
      },
    );
    req.once('error', reject);
    for (const piece of body) req.write(piece);
    req.end();
  });
}

/** The pieces without their first `n` bytes (views, no copy). */
function skip(pieces: readonly Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let left = n;
  for (const piece of pieces) {
    if (left >= piece.length) left -= piece.length;
    else {
      out.push(left > 0 ? piece.subarray(left) : piece);
      left = 0;
    }
  }
  return out;
}
