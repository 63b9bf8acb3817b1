import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request a receiver got: its headers and its raw body (what the signature covers). */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How the receiver answers its n-th request (1-based); `hang` never answers. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | { hang: true };

export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves once `count` requests came in (fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (a webhook receiver in tests) that records every request and answers as `answer` says. */
export async function startReceiver(
  answer: (n: number, request: Received) => Answer,
  /** PEM key and certificate: an HTTPS receiver. */
  tls?: { key: string; cert: string },
): Promise<Receiver> {
  const received: Received[] = [];
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(request);
      const a = answer(received.length, request);
      if ('hang' in a) return;
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
      res.end(a.body ?? '');
    });
  };
  const server = tls ? https.createServer(tls, handle) : http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/hook`,
    received,
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${received.length} of ${count} requests`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return received.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
