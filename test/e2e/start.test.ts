/**
 * `pnpm start` end to end: the launcher builds nothing here (the test command built already), starts
 * an embedded PostgreSQL under its DATA_ROOT, runs the API and a worker, and answers /healthz and
 * /readyz; /readyz turns 503 when Redis stops; SIGTERM stops everything it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startRedisServer } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('pnpm start', () => {
  let dataRoot: string;
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let launcher: ChildProcess;
  let output = '';
  let base: string;

  beforeAll(async () => {
    for (const app of ['api', 'worker']) {
      if (!existsSync(path.join(root, 'apps', app, 'dist', 'main.js')))
        throw new Error(`apps/${app} is not built: run \`pnpm test\` (it builds first) or \`pnpm build\``);
    }
    dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-start-'));
    // The embedded PostgreSQL runs as user postgres (we may be root): it must be able to enter DATA_ROOT.
    await chmod(dataRoot, 0o755);
    redis = await startRedisServer();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_ROOT: dataRoot,
      PORT: String(port),
      REDIS_URL: redis.url,
      START_SKIP_BUILD: '1',
      // Redis is stopped before SIGTERM, so the worker cannot drain: keep its deadline short.
      SHUTDOWN_TIMEOUT_MS: '3000',
    };
    delete env.DATABASE_URL;
    delete env.ADMIN_PASSWORD;
    launcher = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout?.on('data', (c) => (output += c));
    launcher.stderr?.on('data', (c) => (output += c));
    await waitFor(
      'the launcher to print its banner',
      async () => (output.includes('is running at') ? true : undefined),
      90_000,
    ).catch((err) => {
      throw new Error(`${err.message}\n--- launcher output ---\n${output.slice(-3000)}`);
    });
  });

  afterAll(async () => {
    if (launcher && launcher.exitCode === null) {
      launcher.kill('SIGKILL');
    }
    await redis?.child.stop();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  it('prints the URL and how to log in, with a password it keeps under DATA_ROOT', async () => {
    const password = (await readFile(path.join(dataRoot, 'admin-password'), 'utf8')).trim();
    expect(output).toContain(`cvat-backup is running at ${base}`);
    expect(output).toContain(`log in as admin / ${password}`);
    expect(output).toContain(`started PostgreSQL (data in ${path.join(dataRoot, 'postgres')})`);
  });

  it('answers /healthz and /readyz with 200', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('turns /readyz to 503 naming redis when Redis stops, while /healthz stays 200', async () => {
    await redis.child.stop();
    const res = await waitFor(
      'a 503',
      async () => {
        const r = await fetch(`${base}/readyz`);
        return r.status === 503 ? r : undefined;
      },
      10_000,
    );
    expect(((await res.json()) as { down: string[] }).down).toEqual(['redis']);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('stops the API, the worker and its PostgreSQL on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    expect(existsSync(path.join(dataRoot, 'postgres', 'postmaster.pid'))).toBe(false);
  });
});
