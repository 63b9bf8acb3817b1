/**
 * PUT then GET of a task's annotations through HTTP against the API running as a child process
 * (`dist/main.js`): throughput, and the API process's peak RSS (VmHWM) to show memory stays flat
 * while a million shapes stream in and out. Reference, measured in the same run: the catalog's own
 * repository write (COPY) and cursor read of the same shapes, in-process, without HTTP or JSON.
 * Sizes: BENCH_SHAPES (default 1,000,000) and a tenth of it. Database: BENCH_DATABASE_URL, else
 * 127.0.0.1:5432, else a throw-away cluster; Redis: 127.0.0.1:6379, else a throw-away server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnnotationItem, migrate, PgCatalog } from '@cvat-backup/catalog';
import { benchServices, freePort } from '@cvat-backup/testkit';
import pg from 'pg';
import { LabeledDataScanner } from '../src/annotations/labeled-data-scanner.js';
import { png } from '../test/test-images.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const main = path.join(here, '..', 'dist', 'main.js');
const out = path.join(here, '..', '..', '..', '.bench', 'api.json');
const big = Number(process.env.BENCH_SHAPES ?? 1_000_000);
const sizes = [Math.round(big / 10), big];
const FRAMES = 10;
const MiB = 1024 * 1024;

if (!existsSync(main))
  throw new Error('apps/api is not built: run `pnpm --filter @cvat-backup/api build` first');

async function createDatabase(adminUrl: string) {
  const name = `cvb_api_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Peak and current RSS of a process, from /proc (Linux). */
async function memoryOf(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { peakMiB: Math.round(kb('VmHWM') / 1024), rssMiB: Math.round(kb('VmRSS') / 1024) };
}

/** One shape as CVAT sends it; rectangles with an attribute, spread over the frames. */
function shapeJson(i: number, labelId: number, specId: number): string {
  const x = i % 1000;
  return `{"label_id":${labelId},"type":"rectangle","frame":${i % FRAMES},"group":0,"source":"manual","occluded":false,"outside":false,"z_order":0,"rotation":0,"points":[${x},${x + 1.5},${x + 100},${x + 200.25}],"attributes":[{"spec_id":${specId},"value":"red"}],"elements":[]}`;
}

/** The PUT body, generated as it is sent (the bench does not hold it either). */
function bodyStream(shapes: number, labelId: number, specId: number): ReadableStream<Uint8Array> {
  let i = 0;
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      if (i === 0) controller.enqueue(encoder.encode('{"version":0,"tags":[],"tracks":[],"shapes":['));
      const parts: string[] = [];
      const end = Math.min(i + 500, shapes);
      for (; i < end; i++) parts.push((i === 0 ? '' : ',') + shapeJson(i, labelId, specId));
      controller.enqueue(encoder.encode(parts.join('')));
      if (i >= shapes) {
        controller.enqueue(encoder.encode(']}'));
        controller.close();
      }
    },
  });
}

/** Reads a LabeledData response, counting its shapes with the API's own scanner; returns bytes. */
async function drainCounting(res: Response): Promise<{ bytes: number; shapes: number }> {
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const scanner = new LabeledDataScanner(64 * MiB);
  let bytes = 0;
  let shapes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const e of scanner.push(Buffer.from(chunk))) if (e.kind === 'item' && e.list === 'shapes') shapes++;
  }
  scanner.end();
  return { bytes, shapes };
}

async function runSize(env: { adminUrl: string; redisUrl: string }, shapes: number) {
  const db = await createDatabase(env.adminUrl);
  const dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-api-bench-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const admin = { username: 'bench-admin', password: randomBytes(9).toString('hex') };
  const api: ChildProcess = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_ROOT: dataRoot,
      DATABASE_URL: db.url,
      REDIS_URL: env.redisUrl,
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      SECRET_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    for (
      let t = 0;
      !(await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      ));
      t++
    ) {
      if (t > 300) throw new Error('the API did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const call = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Token ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    });
    const { key } = (await login.json()) as { key: string };
    const task = await call('POST', '/api/tasks', {
      name: 'bench',
      labels: [
        {
          name: 'car',
          type: 'rectangle',
          attributes: [{ name: 'color', input_type: 'select', values: ['red', 'blue'] }],
        },
      ],
    });
    const form = new FormData();
    form.append('image_quality', '70');
    for (let f = 0; f < FRAMES; f++)
      form.append(`client_files[${f}]`, new Blob([new Uint8Array(png(64, 64))]), `f${f}.png`);
    const upload = await fetch(`${base}/api/tasks/${task.id}/data`, {
      method: 'POST',
      headers: { authorization: `Token ${key}` },
      body: form,
    });
    if (upload.status !== 202) throw new Error(`upload: ${upload.status}`);
    const label = (await call('GET', `/api/labels?task_id=${task.id}`)).results[0];
    const before = await memoryOf(api.pid!);

    let started = performance.now();
    const put = await fetch(`${base}/api/tasks/${task.id}/annotations`, {
      method: 'PUT',
      headers: { authorization: `Token ${key}`, 'content-type': 'application/json' },
      body: bodyStream(shapes, label.id, label.attributes[0].id),
      duplex: 'half',
    } as RequestInit);
    const putAnswer = await drainCounting(put);
    const putSeconds = (performance.now() - started) / 1000;
    const afterPut = await memoryOf(api.pid!);

    started = performance.now();
    const got = await drainCounting(
      await fetch(`${base}/api/tasks/${task.id}/annotations`, { headers: { authorization: `Token ${key}` } }),
    );
    const getSeconds = (performance.now() - started) / 1000;
    const afterGet = await memoryOf(api.pid!);
    if (putAnswer.shapes !== shapes || got.shapes !== shapes)
      throw new Error(`expected ${shapes} shapes, PUT answered ${putAnswer.shapes}, GET ${got.shapes}`);
    const [job] = (await call('GET', `/api/jobs?task_id=${task.id}`)).results;
    return {
      shapes,
      jobId: job.id as number,
      labelId: label.id as number,
      specId: label.attributes[0].id as number,
      db,
      putSeconds,
      getSeconds,
      jsonBytes: got.bytes,
      startRssMiB: before.rssMiB,
      peakRssAfterPutMiB: afterPut.peakMiB,
      peakRssMiB: afterGet.peakMiB,
    };
  } finally {
    if (api.exitCode === null) {
      const exited = new Promise((r) => api.once('exit', r));
      api.kill('SIGTERM');
      await exited;
    }
    await rm(dataRoot, { recursive: true, force: true });
  }
}

/** The catalog's own write and read of the same shapes, in-process: the reference. */
async function reference(dbUrl: string, jobId: number, shapes: number, labelId: number, specId: number) {
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const catalog = new PgCatalog(pool, { credentialsKey: randomBytes(32) });
  await migrate(pool);
  function* items(): Iterable<AnnotationItem> {
    for (let i = 0; i < shapes; i++) {
      const x = i % 1000;
      yield {
        kind: 'shape',
        value: {
          label_id: labelId,
          type: 'rectangle',
          frame: i % FRAMES,
          points: [x, x + 1.5, x + 100, x + 200.25],
          attributes: [{ spec_id: specId, value: 'red' }],
        },
      };
    }
  }
  let started = performance.now();
  await catalog.annotations.replace(jobId, items());
  const writeSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  let read = 0;
  for await (const _ of catalog.annotations.read(jobId).shapes()) read++;
  const readSeconds = (performance.now() - started) / 1000;
  await pool.end();
  if (read !== shapes) throw new Error(`reference read ${read} of ${shapes}`);
  return { writeSeconds, readSeconds };
}

const env = await benchServices();
const results = [];
try {
  for (const shapes of sizes) {
    const run = await runSize(env, shapes);
    try {
      const ref = await reference(run.db.url, run.jobId, shapes, run.labelId, run.specId);
      const perSecond = (s: number) => Math.round(shapes / s);
      results.push({
        shapes,
        put: { seconds: +run.putSeconds.toFixed(2), shapesPerSecond: perSecond(run.putSeconds) },
        get: {
          seconds: +run.getSeconds.toFixed(2),
          shapesPerSecond: perSecond(run.getSeconds),
          jsonMiB: +(run.jsonBytes / MiB).toFixed(1),
        },
        reference: {
          writeShapesPerSecond: perSecond(ref.writeSeconds),
          readShapesPerSecond: perSecond(ref.readSeconds),
        },
        // PUT answers with every saved shape (as CVAT does), so it is a write plus a read.
        putRatioToReference: +((ref.writeSeconds + ref.readSeconds) / run.putSeconds).toFixed(3),
        getRatioToReference: +(ref.readSeconds / run.getSeconds).toFixed(3),
        apiStartRssMiB: run.startRssMiB,
        apiPeakRssAfterPutMiB: run.peakRssAfterPutMiB,
        apiPeakRssMiB: run.peakRssMiB,
      });
    } finally {
      await run.db.drop();
    }
  }
} finally {
  await env.stop();
}

console.log('\nAPI annotations: PUT then GET through HTTP (API in a child process)\n');
console.log(
  'shapes     PUT s  PUT shapes/s  ratio   GET s  GET shapes/s  ratio  JSON MiB  API RSS start→peak MiB',
);
for (const r of results)
  console.log(
    `${String(r.shapes).padEnd(10)} ${String(r.put.seconds).padStart(5)}  ${String(r.put.shapesPerSecond).padStart(12)}  ${r.putRatioToReference.toFixed(2).padStart(5)}  ${String(r.get.seconds).padStart(6)}  ${String(r.get.shapesPerSecond).padStart(12)}  ${r.getRatioToReference.toFixed(2).padStart(5)}  ${String(r.get.jsonMiB).padStart(8)}  ${r.apiStartRssMiB} → ${r.apiPeakRssMiB}`,
  );
console.log(
  '\nratio = the catalog repository in-process (same run, same shapes) ÷ through HTTP; 1.00 = no API overhead',
);
await mkdir(path.dirname(out), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify({ package: '@cvat-backup/api', bench: 'annotations', when: new Date().toISOString(), results }, null, 2)}\n`,
);
console.log(`written ${out}`);
