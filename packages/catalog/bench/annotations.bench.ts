/**
 * Annotation throughput and memory of the catalog: write then read N shapes of one job through the
 * repositories (COPY in, cursor out), each phase in a child process for its peak RSS, and the same
 * rows through raw COPY as the reference measured in the same run. Sizes: BENCH_SHAPES (default
 * 1,000,000) and a tenth of it, to show that memory does not grow with the data.
 * Database: BENCH_DATABASE_URL (a role that may CREATE DATABASE), else 127.0.0.1:5432, else a
 * throw-away cluster.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { postgresAnswers, startPostgresCluster } from '@cvat-backup/testkit';
import pg from 'pg';
import { migrate, PgCatalog } from '../src/index.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./annotations-child.ts', import.meta.url));
const out = fileURLToPath(new URL('../../../.bench/catalog.json', import.meta.url));
const big = Number(process.env.BENCH_SHAPES ?? 1_000_000);
const sizes = [Math.round(big / 10), big];

interface PhaseResult {
  phase: string;
  rows: number;
  bytes: number;
  ms: number;
  baselineRssKb: number;
  maxRssKb: number;
}

async function adminUrl(): Promise<{ url: string; stop: () => Promise<void> }> {
  const fromEnv = process.env.BENCH_DATABASE_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => {} };
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await postgresAnswers(local)) return { url: local, stop: async () => {} };
  const cluster = await startPostgresCluster();
  return { url: cluster.adminUrl, stop: cluster.stop };
}

async function phase(
  name: string,
  url: string,
  jobId: number,
  shapes: number,
  labelId: number,
  specId: number,
) {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', child, name, url, String(jobId), String(shapes), String(labelId), String(specId)],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as PhaseResult;
}

const admin = await adminUrl();
const dbName = `cvb_bench_${randomBytes(4).toString('hex')}`;
const adminClient = new pg.Client({ connectionString: admin.url });
await adminClient.connect();
await adminClient.query(`CREATE DATABASE ${dbName}`);
const dbUrl = Object.assign(new URL(admin.url), { pathname: `/${dbName}` }).toString();
const results: Array<{ shapes: number; phases: Record<string, PhaseResult> }> = [];
try {
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  await migrate(pool);
  const catalog = new PgCatalog(pool, { credentialsKey: randomBytes(32) });
  const user = await catalog.users.create({ username: 'bench', password: 'bench-password' });
  const actor = { id: user.id, isAdmin: false };
  const task = await catalog.tasks.create(actor, {
    name: 'bench',
    labels: [
      {
        name: 'car',
        type: 'rectangle',
        attributes: [{ name: 'color', input_type: 'select', values: ['red', 'blue'] }],
      },
    ],
  });
  await catalog.data.create(task.id, { image_quality: 70, size: 10_000 });
  const [job] = await catalog.jobs.createSegments(task.id, [{ start_frame: 0, stop_frame: 9_999 }]);
  const [label] = await catalog.labels.tree({ taskId: task.id });
  await pool.end();
  for (const shapes of sizes) {
    const phases: Record<string, PhaseResult> = {};
    for (const name of ['reference-write', 'reference-read', 'write', 'read']) {
      phases[name] = await phase(name, dbUrl, job!.id, shapes, label!.id, label!.attributes[0]!.id);
      process.stderr.write(`${shapes} ${name}: ${Math.round(phases[name].ms)} ms\n`);
    }
    results.push({ shapes, phases });
  }
} finally {
  await adminClient.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await adminClient.end();
  await admin.stop();
}

const mib = (kb: number) => (kb / 1024).toFixed(0);
const rate = (r: PhaseResult) => Math.round(r.rows / (r.ms / 1000));
const rows: string[][] = [
  ['shapes', 'phase', 'shapes/s', 'vs raw COPY', 'peak RSS MiB', 'RSS at start MiB', 'JSON MiB'],
];
const report: Record<string, unknown>[] = [];
for (const { shapes, phases } of results) {
  for (const [name, reference] of [
    ['write', 'reference-write'],
    ['read', 'reference-read'],
  ] as const) {
    const r = phases[name]!;
    const ref = phases[reference]!;
    const ratio = rate(r) / rate(ref);
    rows.push([
      String(shapes),
      name,
      String(rate(r)),
      ratio.toFixed(2),
      mib(r.maxRssKb),
      mib(r.baselineRssKb),
      r.bytes ? (r.bytes / 2 ** 20).toFixed(0) : '',
    ]);
    rows.push([
      String(shapes),
      `  ${reference}`,
      String(rate(ref)),
      '1.00',
      mib(ref.maxRssKb),
      mib(ref.baselineRssKb),
      '',
    ]);
    report.push({
      shapes,
      phase: name,
      shapesPerSecond: rate(r),
      referencePhase: reference,
      referenceShapesPerSecond: rate(ref),
      ratioToReference: Number(ratio.toFixed(3)),
      seconds: Number((r.ms / 1000).toFixed(2)),
      peakRssMiB: Number(mib(r.maxRssKb)),
      referencePeakRssMiB: Number(mib(ref.maxRssKb)),
      jsonBytes: r.bytes || undefined,
    });
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
await mkdir(fileURLToPath(new URL('../../../.bench/', import.meta.url)), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify({ package: '@cvat-backup/catalog', bench: 'annotations', when: new Date().toISOString(), results: report }, null, 2)}\n`,
);
console.log(`\nwritten ${out}`);
