#!/usr/bin/env node
// `pnpm start`: builds what is stale, finds or starts Redis and PostgreSQL, runs the API and one
// worker on embedded defaults, and stops everything it started on Ctrl-C / SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const dataRoot = path.resolve(process.env.DATA_ROOT ?? path.join(root, '.data'));
const host = process.env.HOST ?? '127.0.0.1';
const port = process.env.PORT ?? '8080';
const stops = [];
const say = (line) => process.stdout.write(`[start] ${line}\n`);

function fail(message) {
  process.stderr.write(`\n[start] ${message}\n`);
  return shutdown(1);
}

/** A secret kept under DATA_ROOT so restarts reuse it; never printed except the admin password. */
function persistedSecret(file, bytes) {
  const full = path.join(dataRoot, file);
  if (existsSync(full)) return readFileSync(full, 'utf8').trim();
  const value = randomBytes(bytes).toString('base64url');
  writeFileSync(full, `${value}\n`, { mode: 0o600 });
  return value;
}

async function provideRedis(kit) {
  if (process.env.REDIS_URL) {
    if (!(await kit.redisAnswers(process.env.REDIS_URL)))
      throw new Error(`REDIS_URL is set, but no Redis answers at ${process.env.REDIS_URL}`);
    return process.env.REDIS_URL;
  }
  if (await kit.redisAnswers('redis://127.0.0.1:6379')) return 'redis://127.0.0.1:6379';
  if (!kit.findExecutable('redis-server', ['/usr/bin', '/usr/sbin', '/usr/local/bin']))
    throw new Error(
      'No Redis answers on 127.0.0.1:6379 and redis-server is not installed. Set REDIS_URL=redis://host:6379, or install it (Debian: apt-get install redis-server).',
    );
  const { url, child } = await kit.startRedisServer({ dir: path.join(dataRoot, 'redis'), persist: true });
  stops.push(['redis', child.stop]);
  say(`started redis-server at ${url} (data in ${path.join(dataRoot, 'redis')})`);
  return url;
}

async function providePostgres(kit) {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (!kit.postgresBinDir())
    throw new Error(
      'DATABASE_URL is not set and PostgreSQL server binaries are not installed. Set DATABASE_URL=postgres://user@host/db, or install them (Debian: apt-get install postgresql).',
    );
  const dir = path.join(dataRoot, 'postgres');
  const { adminUrl, stop } = await kit.startPostgresCluster({ dir, persist: true });
  stops.push(['postgres', stop]);
  say(`started PostgreSQL (data in ${dir})`);
  return kit.ensureDatabase(adminUrl, 'cvat_backup');
}

function runApp(name, env) {
  const child = spawn(process.execPath, [path.join(root, 'apps', name, 'dist', 'main.js')], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  stops.unshift([
    name,
    async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  ]);
  child.once('exit', (code, signal) => {
    if (!shuttingDown) void fail(`${name} exited unexpectedly (${signal ?? code})`);
  });
}

let shuttingDown = false;
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const [name, stop] of stops) {
    try {
      await stop();
    } catch (err) {
      process.stderr.write(`[start] stopping ${name} failed: ${err.message}\n`);
    }
  }
  process.exit(code);
}

async function waitReady(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the API did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

async function main() {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  mkdirSync(dataRoot, { recursive: true });

  if (process.env.START_SKIP_BUILD !== '1') {
    say('building (turbo; cached when nothing changed)…');
    const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
    if (build.status !== 0) return fail('the build failed (see above)');
  }
  const kit = await import('../packages/testkit/dist/index.js');
  const [redisUrl, databaseUrl] = await Promise.all([provideRedis(kit), providePostgres(kit)]);

  const adminUsername = process.env.ADMIN_USERNAME ?? 'admin';
  const adminPassword = process.env.ADMIN_PASSWORD ?? persistedSecret('admin-password', 12);
  const env = {
    ...process.env,
    HOST: host,
    PORT: port,
    DATA_ROOT: dataRoot,
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    ADMIN_USERNAME: adminUsername,
    ADMIN_PASSWORD: adminPassword,
    SECRET_KEY: process.env.SECRET_KEY ?? persistedSecret('secret-key', 32),
  };
  runApp('api', env);
  runApp('worker', env);
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  await waitReady(`${base}/readyz`, 60_000);
  say(`cvat-backup is running at ${base}`);
  say(
    `log in as ${adminUsername} / ${process.env.ADMIN_PASSWORD ? '(ADMIN_PASSWORD)' : adminPassword}  — e.g. curl -X POST ${base}/api/auth/login -H 'content-type: application/json' -d '{"username":"${adminUsername}","password":"…"}'`,
  );
  say('health: /healthz  readiness: /readyz  — Ctrl-C stops everything started here');
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));
