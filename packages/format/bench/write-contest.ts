/**
 * Writing the media into one file: the archive writer against every reference, in turns, on the
 * same page-cache-warm files, each run starting with no dirty pages (`sync`). Wall time and CPU
 * time (user + system) of each: on a shared 2-core machine wall time is noisy, CPU time much less.
 */
import { execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Timing {
  seconds: number;
  cpuSeconds: number;
}

export type ChildRunner = (
  script: string,
  args: string[],
  env?: Record<string, string>,
) => Promise<{ seconds: number; sectionCpuSeconds: number }>;

/** Seconds of a POSIX `times` field such as `0m0.340s`. */
function timesField(field: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(field);
  if (!m) throw new Error(`unexpected times output: ${field}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Runs `command` in sh; its CPU time is what the shell's `times` reports for its children. */
export async function shell(command: string, cwd?: string): Promise<Timing> {
  const started = performance.now();
  const { stdout } = await run('sh', ['-c', `${command}\ntimes`], cwd ? { cwd } : {});
  const seconds = (performance.now() - started) / 1000;
  const [user, system] = stdout.trim().split('\n').at(-1)!.trim().split(/\s+/);
  return { seconds, cpuSeconds: timesField(user!) + timesField(system!) };
}

/** `sync` flushes the previous run's dirty pages, so no run pays for another's writeback. */
export const settle = () => new Promise<void>((resolve) => spawn('sync').on('exit', () => resolve()));

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Contestant {
  key: string;
  /** Writes `out`; timed. */
  write(out: string): Promise<Timing>;
}

export async function writeContest(
  media: string,
  totalMiB: number,
  outDir: string,
  runs: number,
  child: ChildRunner,
): Promise<Record<string, unknown>> {
  const files = `${media}/images/*/*`;
  const viaChild =
    (script: string, extra: string[], env?: Record<string, string>) =>
    async (out: string): Promise<Timing> => {
      const r = await child(script, [media, out, ...extra], env);
      return { seconds: r.seconds, cpuSeconds: r.sectionCpuSeconds };
    };
  const contestants: Contestant[] = [
    // GNU cat 9 copies file to file with copy_file_range: the kernel moves the pages, the bytes
    // never enter the process. Nothing that must see the bytes (a CRC) can do that.
    { key: 'cat', write: (out) => shell(`cat ${files} > ${out}`) },
    // The same cat on an O_APPEND output: copy_file_range refuses it (EBADF), so cat falls back to
    // its read/write loop through one 128 KiB buffer: a raw copy through user space.
    { key: 'catUserSpace', write: (out) => shell(`cat ${files} >> ${out}`) },
    { key: 'zip', write: (out) => shell(`zip -0 -r -q ${out} images`, media) },
    { key: 'nodeStream', write: viaChild('node-copy.child.ts', ['stream']) },
    { key: 'nodeSync', write: viaChild('node-copy.child.ts', ['sync']) },
    { key: 'nodeSyncCrc', write: viaChild('node-copy.child.ts', ['sync-crc']) },
    { key: 'ours', write: viaChild('write-archive.child.ts', []) },
    { key: 'oursStreams', write: viaChild('write-archive.child.ts', [], { SOURCE: 'stream' }) },
  ];
  const timings = new Map<string, Timing[]>(contestants.map((c) => [c.key, []]));
  for (let r = 0; r < runs; r++) {
    for (const c of contestants) {
      const out = join(outDir, `${c.key}.out`);
      await settle();
      timings.get(c.key)!.push(await c.write(out));
      await rm(out);
    }
  }
  const wall = (key: string) => median(timings.get(key)!.map((t) => t.seconds));
  const cpu = (key: string) => median(timings.get(key)!.map((t) => t.cpuSeconds));
  const result: Record<string, unknown> = {};
  for (const c of contestants) {
    result[c.key] = {
      MiBps: totalMiB / wall(c.key),
      medianSeconds: wall(c.key),
      medianCpuSeconds: cpu(c.key),
      runs: timings.get(c.key),
    };
  }
  /** Throughput ratio a/b: b's time over a's. */
  const ratios = (a: string, b: string) => ({ wall: wall(b) / wall(a), cpu: cpu(b) / cpu(a) });
  result['ratios'] = {
    oursVsZip: ratios('ours', 'zip'),
    oursVsCat: ratios('ours', 'cat'),
    oursVsCatUserSpace: ratios('ours', 'catUserSpace'),
    oursVsNodeStream: ratios('ours', 'nodeStream'),
    oursVsNodeSyncCrc: ratios('ours', 'nodeSyncCrc'),
    oursStreamsVsZip: ratios('oursStreams', 'zip'),
    oursStreamsVsCat: ratios('oursStreams', 'cat'),
    // Ceilings: the cheapest Node copy, without and with the CRC, against cat.
    nodeSyncVsCat: ratios('nodeSync', 'cat'),
    nodeSyncCrcVsCat: ratios('nodeSyncCrc', 'cat'),
    catUserSpaceVsCat: ratios('catUserSpace', 'cat'),
  };
  return result;
}
