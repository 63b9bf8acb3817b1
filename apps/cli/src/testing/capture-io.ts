import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Io } from '../commands/context.js';
import { runCli } from '../program.js';

/** Text written to a captured stream, with the terminal flags a test chooses. */
export class Capture {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns = 100,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** A HOME of its own (XDG dirs inside) for one test; `close` removes it. */
export async function tempHome(): Promise<{ dir: string; env: NodeJS.ProcessEnv; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cvb-cli-unit-'));
  return {
    dir,
    env: { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state') },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs the CLI in-process with captured stdout/stderr. */
export async function runCaptured(args: string[], env: NodeJS.ProcessEnv) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { env, stdout, stderr };
  const code = await runCli(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** The body as UTF-8 text; `raw` holds its bytes. */
  body: string;
  raw: Buffer;
}

/** A real HTTP server on 127.0.0.1 that records each request and answers with `handler`. */
export async function recordingServer(
  handler: (request: Received, res: ServerResponse) => void,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: raw.toString('utf8'),
        raw,
      };
      received.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
