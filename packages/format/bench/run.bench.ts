/**
 * `pnpm bench` for @cvat-backup/format. Every figure is a ratio against a reference measured in
 * the same run on the same data (Info-ZIP `zip -0 -r`, a `cat` copy, `unzip`), or a peak RSS
 * measured in a child process. Prints a table; writes JSON to /work/main/.bench/format.json.
 *
 * Env: BENCH_MEDIA_MIB (default 2048), BENCH_SHAPES (default 1000000), BENCH_RUNS (default 3).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { printTable } from './print-table.js';
import { median, settle, shell, type Timing, writeContest } from './write-contest.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1 << 20;
const MEDIA_MIB = Number(process.env['BENCH_MEDIA_MIB'] ?? 2048);
const SMALL_MIB = 200;
const FILE_MIB = 2;
const SHAPES = Number(process.env['BENCH_SHAPES'] ?? 1_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);

interface ChildResult {
  seconds: number;
  sectionCpuSeconds: number;
  bytes: number;
  maxRssMiB: number;
  [k: string]: number;
}

/** glibc returns freed 1 MiB read buffers to the OS at once with a fixed mmap threshold. */
const FIXED_MMAP = { MALLOC_MMAP_THRESHOLD_: '131072' };

function child(script: string, args: string[], env: Record<string, string> = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', join(here, 'children', script), ...args],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${script} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
    });
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

async function makeMedia(root: string, mib: number): Promise<string[]> {
  const pool = randomBytes(64 * MiB);
  const files: string[] = [];
  for (let i = 0; i < mib / FILE_MIB; i++) {
    const path = join(root, 'images', `batch_${Math.floor(i / 100)}`, `img_${i}.jpg`);
    await mkdir(dirname(path), { recursive: true });
    const at = (i * 7919 * 4096) % (pool.length - FILE_MIB * MiB);
    await writeFile(path, pool.subarray(at, at + FILE_MIB * MiB));
    files.push(path);
  }
  return files;
}

/** A table-driven CRC-32, what pure-JavaScript zip libraries do. */
function jsCrc32(data: Buffer, table: Uint32Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function crcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'cvb-format-bench-'));
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    mediaMiB: MEDIA_MIB,
    shapes: SHAPES,
    runs: RUNS,
  };
  try {
    // CRC-32: native vs pure JavaScript on 128 MiB.
    const sample = randomBytes(128 * MiB);
    const table = crcTable();
    const nativeS = await timed(async () => crc32(sample));
    const jsS = await timed(async () => jsCrc32(sample, table));
    if (jsCrc32(sample.subarray(0, 4096), table) !== crc32(sample.subarray(0, 4096)))
      throw new Error('CRC mismatch');
    results['crc32'] = { nativeMiBps: 128 / nativeS, pureJsMiBps: 128 / jsS, ratio: jsS / nativeS };

    const media = join(work, 'media');
    const files = await makeMedia(media, MEDIA_MIB);
    const small = join(work, 'media-small');
    await mkdir(join(small, 'images'), { recursive: true });
    for (const f of files.slice(0, SMALL_MIB / FILE_MIB)) {
      await run('cp', [f, join(small, 'images', f.split('/').at(-1)!)]);
    }
    await run('sh', ['-c', `cat ${media}/images/*/* > /dev/null`]); // warm the page cache
    const total = MEDIA_MIB * MiB;

    // 1. Writing: ours vs zip -0 -r, cat (both ways) and plain Node copies, in turns, median of RUNS.
    const out = join(work, 'out');
    await mkdir(out);
    results['write'] = await writeContest(media, MEDIA_MIB, out, RUNS, child);
    // The archive the extract section reads.
    await child('write-archive.child.ts', [media, join(out, 'ours.zip')]);

    // 2. Extracting our archive: ours vs unzip.
    const unzipRuns: Timing[] = [];
    const extractRuns: Timing[] = [];
    for (let r = 0; r < RUNS; r++) {
      await settle();
      const a = join(work, 'x-unzip');
      unzipRuns.push(await shell(`unzip -q -o ${join(out, 'ours.zip')} -d ${a}`));
      await rm(a, { recursive: true });
      await settle();
      const b = join(work, 'x-ours');
      const x = await child('extract-archive.child.ts', [join(out, 'ours.zip'), b]);
      extractRuns.push({ seconds: x.seconds, cpuSeconds: x.sectionCpuSeconds });
      await rm(b, { recursive: true });
    }
    const unzipS = median(unzipRuns.map((t) => t.seconds));
    const extractS = median(extractRuns.map((t) => t.seconds));
    results['extract'] = {
      unzipMiBps: total / MiB / unzipS,
      oursMiBps: total / MiB / extractS,
      vsUnzip: unzipS / extractS,
      vsUnzipCpu: median(unzipRuns.map((t) => t.cpuSeconds)) / median(extractRuns.map((t) => t.cpuSeconds)),
      runs: { unzip: unzipRuns, ours: extractRuns },
    };
    await rm(join(out, 'ours.zip'));

    // 3. Peak RSS writing the big archive vs a 200 MiB one, each in a fresh child, with the default
    //    allocator and with glibc's mmap threshold fixed (freed read buffers leave at once); media
    //    handed over as open files (the writer's recycled buffers), and as read streams.
    const rss: Record<string, unknown> = { bigMiB: MEDIA_MIB, smallMiB: SMALL_MIB };
    for (const [mode, env] of [
      ['defaultMalloc', {}],
      ['fixedMmapThreshold', FIXED_MMAP],
      ['streamSources', { SOURCE: 'stream' }],
    ] as const) {
      const big: number[] = [];
      const smallRss: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        smallRss.push(
          (await child('write-archive.child.ts', [small, join(out, 'small.zip')], env)).maxRssMiB,
        );
        await rm(join(out, 'small.zip'));
        big.push((await child('write-archive.child.ts', [media, join(out, 'big.zip')], env)).maxRssMiB);
        await rm(join(out, 'big.zip'));
      }
      rss[mode] = {
        bigPeakRssMiB: median(big),
        smallPeakRssMiB: median(smallRss),
        differenceMiB: median(big) - median(smallRss),
        runs: { big, small: smallRss },
      };
    }
    results['rss'] = rss;
    await rm(media, { recursive: true });
    await rm(small, { recursive: true });

    // 4. annotations.json: 1,000,000 shapes (and a tenth of it, to show memory does not grow).
    const ann: Record<string, unknown> = {};
    for (const shapes of [SHAPES / 10, SHAPES]) {
      const path = join(out, `ann-${shapes}.zip`);
      const w = await child('annotations.child.ts', ['write', path, String(shapes)]);
      const r = await child('annotations.child.ts', ['read', path, String(shapes)]);
      ann[String(shapes)] = {
        annotationsMiB: r.bytes / MiB,
        writeMiBps: r.bytes / MiB / w.seconds,
        writeCpuSeconds: w.sectionCpuSeconds,
        writeShapesPerS: shapes / w.seconds,
        writePeakRssMiB: w.maxRssMiB,
        readMiBps: r.bytes / MiB / r.seconds,
        readCpuSeconds: r.sectionCpuSeconds,
        readShapesPerS: shapes / r.seconds,
        readPeakRssMiB: r.maxRssMiB,
      };
      await rm(path);
    }
    results['annotations'] = ann;
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const benchDir = join(here, '..', '..', '..', '.bench');
  await mkdir(benchDir, { recursive: true });
  await writeFile(join(benchDir, 'format.json'), `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
  process.stdout.write(`\nJSON: ${join(benchDir, 'format.json')}\n`);
}

await main();
