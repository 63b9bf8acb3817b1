/**
 * Many backups submitted at once, end to end: the API process (`dist/main.js`) and two worker
 * processes (`apps/worker/dist/main.js`) on one Redis and one database. N small tasks (BENCH_TASKS,
 * default 200) are exported through `POST /api/tasks/{id}/backup/export` at the same moment, then
 * polled through `GET /api/requests/{id}` until every one finished. Reported: all complete, wall
 * time, backups per second, and the latency of status polls (p50/p99) against a reference measured
 * under the same load in the same run: `GET /api/users/self` (an authenticated request that touches
 * the database but no queue). Peak RSS of the API process from /proc (VmHWM).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchServices, freePort } from '@cvat-backup/testkit';
import pg from 'pg';
import { png } from '../test/test-images.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..', '..');
const apiMain = path.join(here, '..', 'dist', 'main.js');
const workerMain = path.join(root, 'apps', 'worker', 'dist', 'main.js');
const out = path.join(root, '.bench', 'api-backup.json');
const TASKS = Number(process.env.BENCH_TASKS ?? 200);
const WORKERS = 2;

for (const file of [apiMain, workerMain])
  if (!existsSync(file)) throw new Error(`${file} is missing: build apps/api and apps/worker first`);

async function services() {
  const base = await benchServices();
  const { adminUrl, redisUrl } = base;
  const stops: Array<() => Promise<void>> = [base.stop];
  const name = `cvb_backup_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  stops.unshift(async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  return { databaseUrl, redisUrl, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}

function start(file: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Runs one request, reads its body, and records the time to the last byte. */
async function timed(
  run: () => Promise<Response>,
  into: number[],
): Promise<{ status: number; text: string }> {
  const t0 = performance.now();
  const res = await run();
  const text = await res.text();
  into.push(performance.now() - t0);
  return { status: res.status, text };
}

const UPLOAD_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 1024);
const block = randomBytes(1024 * 1024);

/** UPLOAD_MIB of bytes, one reused MiB block at a time (the bench holds no more than that). */
async function* bytes(mib: number) {
  for (let i = 0; i < mib; i++) yield block;
}

const peakRssMiB = async (pid: number) =>
  Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/**
 * A restore upload of UPLOAD_MIB through the API process, as one streamed multipart request and as
 * TUS chunks of 10 MiB (the SDK's size): MiB/s against writing the same bytes to a local file in
 * this process, and the API's peak RSS after each (it must not grow with the upload's size). The
 * bytes are no zip, so the restore jobs fail in the worker; only the upload is measured.
 */
async function measureUploads(call: (p: string, init?: RequestInit) => Promise<Response>, apiPid: number) {
  const file = path.join(dataRoot, 'reference.bin');
  let t0 = performance.now();
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const { Readable } = await import('node:stream');
  await pipeline(Readable.from(bytes(UPLOAD_MIB)), createWriteStream(file));
  const referenceMiBs = UPLOAD_MIB / ((performance.now() - t0) / 1000);
  await rm(file);

  const boundary = `----bench${randomBytes(6).toString('hex')}`;
  async function* multipart() {
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="task_file"; filename="big.zip"\r\nContent-Type: application/zip\r\n\r\n`,
    );
    yield* bytes(UPLOAD_MIB);
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  t0 = performance.now();
  const single = await call('/api/tasks/backup', {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: Readable.toWeb(Readable.from(multipart())) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (single.status !== 202) throw new Error(`multipart upload: ${single.status} ${await single.text()}`);
  const multipartMiBs = UPLOAD_MIB / ((performance.now() - t0) / 1000);
  const afterMultipart = await peakRssMiB(apiPid);

  const length = UPLOAD_MIB * 1024 * 1024;
  t0 = performance.now();
  const created = await call('/api/tasks/backup/', {
    method: 'POST',
    headers: { 'upload-length': String(length) },
  });
  const location = created.headers.get('location');
  const fileId = created.headers.get('upload-filename');
  if (created.status !== 201 || !location) throw new Error(`TUS create: ${created.status}`);
  const chunk = Buffer.concat(Array.from({ length: 10 }, () => block));
  for (let offset = 0; offset < length; offset += chunk.length) {
    const res = await call(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
      body: chunk.subarray(0, Math.min(chunk.length, length - offset)),
    });
    if (res.status !== 204) throw new Error(`PATCH at ${offset}: ${res.status} ${await res.text()}`);
  }
  const finish = await call(`/api/tasks/backup?filename=${fileId}`, {
    method: 'POST',
    headers: { 'upload-finish': '' },
  });
  if (finish.status !== 202) throw new Error(`Upload-Finish: ${finish.status} ${await finish.text()}`);
  const tusMiBs = UPLOAD_MIB / ((performance.now() - t0) / 1000);
  const afterTus = await peakRssMiB(apiPid);
  const out = {
    mib: UPLOAD_MIB,
    referenceFileWriteMiBs: Number(referenceMiBs.toFixed(0)),
    multipartMiBs: Number(multipartMiBs.toFixed(0)),
    multipartVsReference: Number((multipartMiBs / referenceMiBs).toFixed(2)),
    tusMiBs: Number(tusMiBs.toFixed(0)),
    tusVsReference: Number((tusMiBs / referenceMiBs).toFixed(2)),
    apiPeakRssMiBAfterMultipart: Number(afterMultipart.toFixed(1)),
    apiPeakRssMiBAfterTus: Number(afterTus.toFixed(1)),
  };
  console.log(`\nrestore upload of ${UPLOAD_MIB} MiB through the API process`);
  console.table({
    'reference: local file write (MiB/s)': { value: out.referenceFileWriteMiBs },
    'multipart task_file (MiB/s, × ref)': { value: `${out.multipartMiBs} (${out.multipartVsReference}×)` },
    'TUS 10 MiB chunks + finish (MiB/s, × ref)': { value: `${out.tusMiBs} (${out.tusVsReference}×)` },
    'API peak RSS after multipart / after TUS (MiB)': {
      value: `${out.apiPeakRssMiBAfterMultipart} / ${out.apiPeakRssMiBAfterTus}`,
    },
  });
  return out;
}

const svc = await services();
const dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-backup-bench-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  DATA_ROOT: dataRoot,
  REDIS_URL: svc.redisUrl,
  DATABASE_URL: svc.databaseUrl,
  SECRET_KEY: 'bench-secret-key-0123456789',
  QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
  LOG_LEVEL: 'warn',
};
const api = start(apiMain, {
  ...env,
  HOST: '127.0.0.1',
  PORT: String(port),
  ADMIN_USERNAME: 'bench',
  ADMIN_PASSWORD: 'bench-pass-1',
});
const workers: ChildProcess[] = [];
try {
  for (
    let i = 0;
    i < 50 &&
    !(await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < WORKERS; i++) workers.push(start(workerMain, env));
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-pass-1' }),
  });
  const { key } = (await login.json()) as { key: string };
  const call = (p: string, init: RequestInit = {}) =>
    fetch(new URL(p, base), { ...init, headers: { authorization: `Token ${key}`, ...(init.headers ?? {}) } });

  const tasks: number[] = [];
  for (let i = 0; i < TASKS; i++) {
    const res = await call('/api/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench ${i}`, labels: [{ name: 'car' }] }),
    });
    const id = ((await res.json()) as { id: number }).id;
    const form = new FormData();
    form.set('image_quality', '70');
    form.set('client_files[0]', new Blob([png(8 + (i % 5), 8)]), 'a.png');
    await call(`/api/tasks/${id}/data`, { method: 'POST', body: form });
    tasks.push(id);
  }

  const submit: number[] = [];
  const polls: number[] = [];
  const reference: number[] = [];
  const t0 = performance.now();
  const ids = await Promise.all(
    tasks.map(async (id) => {
      const res = await timed(() => call(`/api/tasks/${id}/backup/export`, { method: 'POST' }), submit);
      if (res.status !== 202) throw new Error(`export of task ${id}: ${res.status} ${res.text}`);
      return (JSON.parse(res.text) as { rq_id: string }).rq_id;
    }),
  );
  const pending = new Set(ids);
  let failed = 0;
  while (pending.size > 0) {
    for (const rq of [...pending]) {
      const res = await timed(() => call(`/api/requests/${encodeURIComponent(rq)}`), polls);
      if (res.status !== 200) throw new Error(`GET /api/requests: ${res.status} ${res.text}`);
      const { status } = JSON.parse(res.text) as { status: string };
      if (status === 'finished' || status === 'failed') pending.delete(rq);
      if (status === 'failed') failed++;
      await timed(() => call('/api/users/self'), reference);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const status = await readFile(`/proc/${api.pid}/status`, 'utf8');
  const apiPeakMiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  const result = {
    tasks: TASKS,
    workers: WORKERS,
    completed: TASKS - failed,
    failed,
    seconds: Number(seconds.toFixed(2)),
    backupsPerSecond: Number((TASKS / seconds).toFixed(1)),
    submitMs: { p50: percentile(submit, 50), p99: percentile(submit, 99) },
    pollMs: { p50: percentile(polls, 50), p99: percentile(polls, 99), count: polls.length },
    referenceMs: { p50: percentile(reference, 50), p99: percentile(reference, 99) },
    pollVsReference: {
      p50: percentile(polls, 50) / percentile(reference, 50),
      p99: percentile(polls, 99) / percentile(reference, 99),
    },
    apiPeakRssMiB: Number(apiPeakMiB.toFixed(1)),
  };
  const ms = (v: number) => v.toFixed(1);
  console.log(`\n${TASKS} task backups submitted at once, ${WORKERS} worker processes`);
  console.table({
    'all complete': { value: `${result.completed}/${TASKS}` },
    'wall time (s)': { value: result.seconds },
    'backups / s': { value: result.backupsPerSecond },
    'submit p50 / p99 (ms)': { value: `${ms(result.submitMs.p50)} / ${ms(result.submitMs.p99)}` },
    'status poll p50 / p99 (ms)': { value: `${ms(result.pollMs.p50)} / ${ms(result.pollMs.p99)}` },
    'reference GET /api/users/self p50 / p99 (ms)': {
      value: `${ms(result.referenceMs.p50)} / ${ms(result.referenceMs.p99)}`,
    },
    'poll / reference p50, p99': {
      value: `${result.pollVsReference.p50.toFixed(2)}×, ${result.pollVsReference.p99.toFixed(2)}×`,
    },
    'API peak RSS (MiB)': { value: result.apiPeakRssMiB },
  });
  const uploads = await measureUploads(call, api.pid!);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ backupRequests: result, uploads }, null, 2)}\n`);
  if (failed > 0) process.exitCode = 1;
} finally {
  await Promise.all(workers.map(stop));
  await stop(api);
  await svc.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
