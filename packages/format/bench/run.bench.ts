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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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

    // 1. Writing: ours vs zip -0 -r vs cat, alternating, median of RUNS.
    const out = join(work, 'out');
    await mkdir(out);
    const catS: number[] = [];
    const zipS: number[] = [];
    const oursS: number[] = [];
    const nodeS: number[] = [];
    // Each run starts with no dirty pages left by the previous one (else it pays for their writeback).
    const settle = () => run('sync');
    for (let r = 0; r < RUNS; r++) {
      await settle();
      catS.push(await timed(() => run('sh', ['-c', `cat ${media}/images/*/* > ${out}/cat.bin`])));
      await rm(join(out, 'cat.bin'));
      await settle();
      zipS.push(
        await timed(() => run('zip', ['-0', '-r', '-q', join(out, 'infozip.zip'), 'images'], { cwd: media })),
      );
      await rm(join(out, 'infozip.zip'));
      await settle();
      nodeS.push((await child('node-copy.child.ts', [media, join(out, 'node-copy.bin')])).seconds);
      await rm(join(out, 'node-copy.bin'));
      await settle();
      const ours = await child('write-archive.child.ts', [media, join(out, 'ours.zip')]);
      oursS.push(ours.seconds);
      if (r < RUNS - 1) await rm(join(out, 'ours.zip'));
    }
    const write = {
      catMiBps: total / MiB / median(catS),
      zipMiBps: total / MiB / median(zipS),
      oursMiBps: total / MiB / median(oursS),
      vsZip: median(zipS) / median(oursS),
      vsCat: median(catS) / median(oursS),
      nodeCopyMiBps: total / MiB / median(nodeS),
      vsNodeCopy: median(nodeS) / median(oursS),
      seconds: { cat: catS, zip: zipS, nodeCopy: nodeS, ours: oursS },
    };
    results['write'] = write;

    // 2. Extracting our archive: ours vs unzip.
    const unzipS: number[] = [];
    const extractS: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      await settle();
      const a = join(work, 'x-unzip');
      unzipS.push(await timed(() => run('unzip', ['-q', '-o', join(out, 'ours.zip'), '-d', a])));
      await rm(a, { recursive: true });
      await settle();
      const b = join(work, 'x-ours');
      extractS.push((await child('extract-archive.child.ts', [join(out, 'ours.zip'), b])).seconds);
      await rm(b, { recursive: true });
    }
    results['extract'] = {
      unzipMiBps: total / MiB / median(unzipS),
      oursMiBps: total / MiB / median(extractS),
      vsUnzip: median(unzipS) / median(extractS),
      seconds: { unzip: unzipS, ours: extractS },
    };
    await rm(join(out, 'ours.zip'));

    // 3. Peak RSS writing the big archive vs a 200 MiB one, each in a fresh child, with the default
    //    allocator and with glibc's mmap threshold fixed (freed read buffers leave at once).
    const rss: Record<string, unknown> = { bigMiB: MEDIA_MIB, smallMiB: SMALL_MIB };
    for (const [mode, env] of [
      ['defaultMalloc', {}],
      ['fixedMmapThreshold', FIXED_MMAP],
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
        writeShapesPerS: shapes / w.seconds,
        writePeakRssMiB: w.maxRssMiB,
        readMiBps: r.bytes / MiB / r.seconds,
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

function printTable(r: Record<string, unknown>): void {
  const f = (n: unknown, d = 2) => (typeof n === 'number' ? n.toFixed(d) : String(n));
  const w = r['write'] as Record<string, number>;
  const x = r['extract'] as Record<string, number>;
  const s = r['rss'] as Record<string, number>;
  const rssOf = (mode: string) => (r['rss'] as Record<string, Record<string, number>>)[mode]!;
  const c = r['crc32'] as Record<string, number>;
  const rows: Array<[string, string, string]> = [
    [
      'CRC-32 native (zlib.crc32)',
      `${f(c['nativeMiBps'], 0)} MiB/s`,
      `pure JS: ${f(c['pureJsMiBps'], 0)} MiB/s (${f(c['ratio'], 1)}x slower)`,
    ],
    [
      `write ${r['mediaMiB']} MiB store-only`,
      `${f(w['oursMiBps'], 0)} MiB/s`,
      `zip -0 -r: ${f(w['zipMiBps'], 0)} MiB/s, cat: ${f(w['catMiBps'], 0)} MiB/s`,
    ],
    ['  ratio vs zip -0 -r (target ≥ 0.9)', f(w['vsZip']), ''],
    ['  ratio vs cat copy (target ≥ 0.8)', f(w['vsCat']), ''],
    [
      '  ratio vs plain Node stream copy',
      f(w['vsNodeCopy']),
      `Node copy: ${f(w['nodeCopyMiBps'], 0)} MiB/s (no zip, no CRC)`,
    ],
    ['extract (CRC-checked)', `${f(x['oursMiBps'], 0)} MiB/s`, `unzip: ${f(x['unzipMiBps'], 0)} MiB/s`],
    ['  ratio vs unzip (target ≥ 0.9)', f(x['vsUnzip']), ''],
    ...(['defaultMalloc', 'fixedMmapThreshold'] as const).flatMap(
      (mode): Array<[string, string, string]> => [
        [`peak RSS writing ${s['bigMiB']} MiB (${mode})`, `${f(rssOf(mode)['bigPeakRssMiB'], 1)} MiB`, ''],
        [
          `peak RSS writing ${s['smallMiB']} MiB (${mode})`,
          `${f(rssOf(mode)['smallPeakRssMiB'], 1)} MiB`,
          '',
        ],
        ['  difference (target ≤ 32 MiB)', `${f(rssOf(mode)['differenceMiB'], 1)} MiB`, ''],
      ],
    ),
  ];
  for (const [shapes, a] of Object.entries(r['annotations'] as Record<string, Record<string, number>>)) {
    rows.push([
      `annotations.json ${Number(shapes).toLocaleString('en')} shapes`,
      `${f(a['annotationsMiB'], 0)} MiB`,
      '',
    ]);
    rows.push([
      '  write',
      `${f(a['writeMiBps'], 1)} MiB/s`,
      `${f(a['writeShapesPerS'], 0)} shapes/s, peak RSS ${f(a['writePeakRssMiB'], 1)} MiB`,
    ]);
    rows.push([
      '  streaming read + validation',
      `${f(a['readMiBps'], 1)} MiB/s`,
      `${f(a['readShapesPerS'], 0)} shapes/s, peak RSS ${f(a['readPeakRssMiB'], 1)} MiB`,
    ]);
  }
  const width = Math.max(...rows.map((row) => row[0].length));
  for (const [a, b, c2] of rows) process.stdout.write(`${a.padEnd(width)}  ${b.padStart(14)}  ${c2}\n`);
}

await main();
