/**
 * Storage seam overhead and memory: for each driver, stream BENCH_SIZE_MIB (default 1024) MiB
 * through `openWrite` and back through `read`, and the same bytes through the raw SDK (lib-storage
 * Upload, uploadStream, createWriteStream, fs streams) in the same run; each transfer runs in its
 * own child process for its peak RSS. All reads of a driver take one object, written once before
 * the runs: an object just written by the run itself would make the emulator's state (and not
 * the reading code) part of the comparison. The seam also runs at a quarter of the size, to show
 * that memory does not grow with the data. Servers: the testkit's (s3rver, Azurite, GCS emulator).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createAzureContainer, createGcsBucket, createS3Bucket, type TestBucket } from '@cvat-backup/testkit';
import setup from '@cvat-backup/testkit/global-setup';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./transfer-child.ts', import.meta.url));
const out = fileURLToPath(new URL('../../../.bench/storage.json', import.meta.url));
const MiB = 1024 * 1024;
const big = Number(process.env.BENCH_SIZE_MIB ?? 1024) * MiB;
const kinds = (process.env.BENCH_DRIVERS ?? 'local,s3,azure,gcs').split(',');
const repeats = Number(process.env.BENCH_REPEATS ?? 3);

interface Result {
  kind: string;
  mode: 'seam' | 'raw';
  op: 'write' | 'read';
  size: number;
  ms: number;
  cpuMs: number;
  baselineRssKb: number;
  maxRssKb: number;
}

async function place(kind: string): Promise<TestBucket> {
  if (kind === 's3') return createS3Bucket();
  if (kind === 'azure') return createAzureContainer();
  if (kind === 'gcs') return createGcsBucket();
  const root = await mkdtemp(path.join(tmpdir(), 'cvb-bench-'));
  return { name: root, remove: () => rm(root, { recursive: true, force: true }) };
}

async function measure(
  target: TestBucket,
  kind: string,
  mode: 'seam' | 'raw',
  op: 'write' | 'read',
  size: number,
  key: string,
  keep = false,
): Promise<Result> {
  const args = [kind, mode, op, String(size), target.name, key, ...(keep ? ['keep'] : [])];
  const { stdout } = await run(process.execPath, ['--conditions=source', '--import', 'tsx', child, ...args], {
    maxBuffer: 1 << 20,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Result;
}

/** Runs `op` for raw and seam `repeats` times each, alternating who goes first (an emulator that slows as it fills must not favour one). */
async function alternate(
  target: TestBucket,
  kind: string,
  op: 'write' | 'read',
  key: (mode: string, i: number) => string,
): Promise<Result[]> {
  const runs: Result[] = [];
  for (let i = 0; i < repeats; i++)
    for (const mode of i % 2 === 0 ? (['raw', 'seam'] as const) : (['seam', 'raw'] as const))
      runs.push(await measure(target, kind, mode, op, big, key(mode, i)));
  return runs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const teardown = await setup();
const results: Result[] = [];
const rows: string[][] = [];
try {
  for (const kind of kinds) {
    const target = await place(kind);
    const runs: Result[] = [];
    const quarter: Result[] = [];
    try {
      // Every read takes one object, written before the reads (and not counted); writes come
      // after them, so no read follows a write of its own run (an emulator still busy with a
      // write it just took would be measured, not the reading code).
      const shared = `bench/shared-${big}.bin`;
      await measure(target, kind, 'raw', 'write', big, shared, true);
      runs.push(...(await alternate(target, kind, 'read', () => shared)));
      runs.push(...(await alternate(target, kind, 'write', (mode, i) => `bench/${mode}-${i}.bin`)));
      const small = `bench/quarter-${big / 4}.bin`;
      quarter.push(await measure(target, kind, 'seam', 'write', big / 4, small, true));
      quarter.push(await measure(target, kind, 'seam', 'read', big / 4, small));
    } finally {
      await target.remove().catch(() => {});
    }
    results.push(...runs, ...quarter);
    const times = (mode: 'raw' | 'seam', op: 'write' | 'read', of: 'ms' | 'cpuMs' = 'ms') =>
      runs.filter((r) => r.mode === mode && r.op === op).map((r) => r[of]);
    const best = (mode: 'raw' | 'seam', op: 'write' | 'read', of: 'ms' | 'cpuMs' = 'ms') =>
      Math.min(...times(mode, op, of));
    // The best run shows what each side can do; the median, that one lucky run did not make the ratio.
    const ratios = (op: 'write' | 'read') =>
      `${(best('seam', op) / best('raw', op)).toFixed(2)} / ${(median(times('seam', op)) / median(times('raw', op))).toFixed(2)}`;
    const cpuRatio = (op: 'write' | 'read') =>
      (best('seam', op, 'cpuMs') / best('raw', op, 'cpuMs')).toFixed(2);
    const peakMiB = (rs: Result[]) => (Math.max(...rs.map((r) => r.maxRssKb)) / 1024).toFixed(0);
    const raw = { writeMs: best('raw', 'write'), readMs: best('raw', 'read') };
    const seam = { writeMs: best('seam', 'write'), readMs: best('seam', 'read') };
    const mibs = (ms: number) => ((big / MiB / ms) * 1000).toFixed(0);
    rows.push([
      kind,
      `${mibs(raw.writeMs)} / ${mibs(seam.writeMs)}`,
      ratios('write'),
      cpuRatio('write'),
      `${mibs(raw.readMs)} / ${mibs(seam.readMs)}`,
      ratios('read'),
      cpuRatio('read'),
      peakMiB(runs.filter((r) => r.mode === 'raw')),
      `${peakMiB(quarter)} → ${peakMiB(runs.filter((r) => r.mode === 'seam'))}`,
    ]);
  }
} finally {
  await teardown();
}

const header = [
  'driver',
  'write MiB/s raw/seam',
  'write ratio best/median',
  'write CPU ratio',
  'read MiB/s raw/seam',
  'read ratio best/median',
  'read CPU ratio',
  'raw peak RSS MiB',
  `seam peak RSS MiB ${big / 4 / MiB}→${big / MiB} MiB`,
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
console.log(
  `\nStorage seam vs raw SDK, ${big / MiB} MiB each way; ${repeats} runs of each, a read run being the best of 3 reads, all reads of one object (ratio = seam time / raw time of the best runs and of the median runs, CPU ratio = seam / raw CPU time of the client process; part 8 MiB × queue 4, GCS chunks of 8 MiB one at a time)`,
);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
await mkdir(path.dirname(out), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify({ sizeBytes: big, repeats, partSize: 8 * MiB, queueSize: 4, summary: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))), results }, null, 2)}\n`,
);
console.log(`\nwritten ${out}`);
