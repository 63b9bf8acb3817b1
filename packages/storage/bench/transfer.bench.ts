/**
 * Storage seam overhead and memory: for each driver, stream BENCH_SIZE_MIB (default 1024) MiB
 * through `openWrite` and back through `read`, and the same bytes through the raw SDK (lib-storage
 * Upload, uploadStream, createWriteStream, fs streams) in the same run; each transfer runs in its
 * own child process for its peak RSS. The seam also runs at a quarter of the size, to show that
 * memory does not grow with the data. Servers: the testkit's (s3rver, Azurite, GCS emulator).
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
const repeats = Number(process.env.BENCH_REPEATS ?? 2);

interface Result {
  kind: string;
  mode: 'seam' | 'raw';
  size: number;
  writeMs: number;
  readMs: number;
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

async function measure(kind: string, mode: 'seam' | 'raw', size: number): Promise<Result> {
  const target = await place(kind);
  try {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', child, kind, mode, String(size), target.name],
      { maxBuffer: 1 << 20, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as Result;
  } finally {
    await target.remove().catch(() => {});
  }
}

const teardown = await setup();
const results: Result[] = [];
const rows: string[][] = [];
try {
  for (const kind of kinds) {
    // Alternate raw and seam runs, each going first every other time (an emulator that slows as
    // it fills must not favour one), and keep each one's best: the machine is shared and noisy.
    const runs: Result[] = [];
    for (let i = 0; i < repeats; i++)
      for (const mode of i % 2 === 0 ? (['raw', 'seam'] as const) : (['seam', 'raw'] as const))
        runs.push(await measure(kind, mode, big));
    const quarter = await measure(kind, 'seam', big / 4);
    const best = (mode: 'raw' | 'seam') => {
      const mine = runs.filter((r) => r.mode === mode);
      return {
        ...mine[0]!,
        writeMs: Math.min(...mine.map((r) => r.writeMs)),
        readMs: Math.min(...mine.map((r) => r.readMs)),
        maxRssKb: Math.max(...mine.map((r) => r.maxRssKb)),
      };
    };
    const raw = best('raw');
    const seam = best('seam');
    results.push(...runs, quarter);
    const mibs = (ms: number) => ((big / MiB / ms) * 1000).toFixed(0);
    rows.push([
      kind,
      `${mibs(raw.writeMs)} / ${mibs(seam.writeMs)}`,
      (seam.writeMs / raw.writeMs).toFixed(2),
      `${mibs(raw.readMs)} / ${mibs(seam.readMs)}`,
      (seam.readMs / raw.readMs).toFixed(2),
      `${(raw.maxRssKb / 1024).toFixed(0)}`,
      `${(quarter.maxRssKb / 1024).toFixed(0)} → ${(seam.maxRssKb / 1024).toFixed(0)}`,
    ]);
  }
} finally {
  await teardown();
}

const header = [
  'driver',
  'write MiB/s raw/seam',
  'write ratio',
  'read MiB/s raw/seam',
  'read ratio',
  'raw peak RSS MiB',
  `seam peak RSS MiB ${big / 4 / MiB}→${big / MiB} MiB`,
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
console.log(
  `\nStorage seam vs raw SDK, ${big / MiB} MiB each way; writes best of ${repeats} runs, reads best of ${3 * repeats} (ratio = seam time / raw time; part 8 MiB × queue 4, GCS chunks of 8 MiB one at a time)`,
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
