import http from 'node:http';
import https from 'node:https';
import { isPrivateAddress, PrivateAddressError, publicOnlyLookup } from './private-addresses.js';

/** What one POST to a receiver came back with. */
export interface PostResult {
  /** HTTP status, or null when no response came (connection refused, timeout, TLS, …). */
  statusCode: number | null;
  /** The start of the response body (at most `maxResponseBytes`), as text. */
  responseBody: string | null;
  /** Why no response came, or null. */
  error: string | null;
  /** `Retry-After` of the response in milliseconds, when it had one. */
  retryAfterMs: number | null;
  /** The target was refused before sending (a private address): retrying cannot help. */
  refused: boolean;
  durationMs: number;
}

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** False: accept a self-signed or otherwise unverifiable certificate. */
  verifyTls: boolean;
  maxResponseBytes?: number;
  /** Refuse loopback, private and link-local targets (literal or resolved). */
  blockPrivate?: boolean;
}

/**
 * POSTs a body and reads at most the first bytes of the answer. Redirects are not followed: a
 * receiver answering 3xx is treated as its final answer (no surprise hops to other hosts).
 */
export function postWebhook(request: PostRequest): Promise<PostResult> {
  const started = performance.now();
  const limit = request.maxResponseBytes ?? 4096;
  const url = new URL(request.url);
  const client = url.protocol === 'https:' ? https : http;
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  const noAnswer = (error: string) => ({ statusCode: null, responseBody: null, error, retryAfterMs: null });
  // A literal IP is connected to without a lookup, so it is checked here.
  if (request.blockPrivate && isPrivateAddress(literal))
    return Promise.resolve({
      ...noAnswer(new PrivateAddressError(literal).message),
      refused: true,
      durationMs: performance.now() - started,
    });
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: Omit<PostResult, 'durationMs' | 'refused'>, refused = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, refused, durationMs: performance.now() - started });
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'Content-Length': Buffer.byteLength(request.body) },
        ...(url.protocol === 'https:' ? { rejectUnauthorized: request.verifyTls } : {}),
        ...(request.blockPrivate ? { lookup: publicOnlyLookup } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish({
            statusCode: res.statusCode ?? null,
            responseBody: Buffer.concat(chunks).subarray(0, limit).toString('utf8'),
            error: null,
            retryAfterMs: retryAfter(res.headers['retry-after']),
          });
        res.on('data', (chunk: Buffer) => {
          if (size < limit) chunks.push(chunk);
          size += chunk.length;
          // Enough for the log: stop reading a large answer.
          if (size >= limit) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
      },
    );
    timer = setTimeout(() => {
      finish(noAnswer(`no answer within ${request.timeoutMs} ms`));
      req.destroy();
    }, request.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        noAnswer(err.code ? `${err.code}: ${err.message}` : err.message),
        err instanceof PrivateAddressError,
      ),
    );
    req.end(request.body);
  });
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now; null when absent or unreadable. */
export function retryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
