import http from 'node:http';
import https from 'node:https';

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
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: performance.now() - started });
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'Content-Length': Buffer.byteLength(request.body) },
        ...(url.protocol === 'https:' ? { rejectUnauthorized: request.verifyTls } : {}),
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
    const timer = setTimeout(() => {
      finish({
        statusCode: null,
        responseBody: null,
        error: `no answer within ${request.timeoutMs} ms`,
        retryAfterMs: null,
      });
      req.destroy();
    }, request.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish({
        statusCode: null,
        responseBody: null,
        error: err.code ? `${err.code}: ${err.message}` : err.message,
        retryAfterMs: null,
      }),
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
