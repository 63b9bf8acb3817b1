import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@cvat-backup/testkit';
import type { HttpUser } from '../backup-http/backup-api.js';
import { json } from '../backup-http/task-backup.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The built API process (`apps/api/dist/main.js`) on a free port, its output kept (JSON log lines). */
export class ApiProcess {
  private child: ChildProcess | undefined;
  output = '';
  base = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {
    if (!existsSync(path.join(root, 'apps/api/dist/main.js')))
      throw new Error('apps/api is not built: run `pnpm --filter @cvat-backup/api build`');
  }

  /** Starts it and waits for /readyz. */
  async start(): Promise<void> {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [path.join(root, 'apps/api/dist/main.js')], {
      env: { ...process.env, ...this.env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (c) => (this.output += c));
    child.stderr?.on('data', (c) => (this.output += c));
    const deadline = Date.now() + 30_000;
    while (
      !(await fetch(`${this.base}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the API did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A user of this API by username and password (CVAT's login), calling with its token. */
  async login(username: string, password: string): Promise<HttpUser & { username: string }> {
    const login = await fetch(`${this.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const { key } = (await json(login, 200)) as { key: string };
    const call: HttpUser['call'] = (p, init = {}) => {
      const { json: body, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Token ${key}`);
      if (body !== undefined) headers.set('content-type', 'application/json');
      return fetch(new URL(p, this.base), {
        ...rest,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    };
    const self = await json(await call('/api/users/self'), 200);
    return { id: self.id as number, token: key, username, call };
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** The JSON lines of a process's output (pino), skipping anything else it printed. */
export function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
