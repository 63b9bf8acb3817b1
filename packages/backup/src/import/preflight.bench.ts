/**
 * What the catalog rules add to a restore's pre-flight: the annotations pass of checkTask before
 * (the reader's validateAnnotations: one read of the stream) and now (checkAnnotations: the same read, each object shaped
 * into its catalog item and checked against its job). Streaming either way: the heap is sampled.
 *
 * Run: npx tsx --conditions=source packages/backup/src/import/preflight.bench.ts
 * Env: BENCH_SHAPES (default 100000), BENCH_RUNS (default 5).
 */
import { PassThrough } from 'node:stream';
import { BufferSource, openBackup, type TaskContent, ZipWriter } from '@cvat-backup/format';
import { checkAnnotations } from './catalog-preflight.js';

const SHAPES = Number(process.env['BENCH_SHAPES'] ?? 100_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const JOBS = 10;

const shape = (i: number, frame: number) =>
  `{"type":"polygon","occluded":false,"outside":false,"z_order":0,"rotation":0,"points":[${i % 97},1,2,3,4,${i % 13}],` +
  `"frame":${frame},"group":0,"source":"manual","attributes":[{"name":"colour","value":"red"}],"label":"car"}`;

function annotationsJson(): string {
  const perJob = Math.ceil(SHAPES / JOBS);
  const jobs: string[] = [];
  for (let j = 0; j < JOBS; j++) {
    const shapes: string[] = [];
    for (let k = 0; k < perJob; k++) shapes.push(shape(k, j * 10 + (k % 10)));
    jobs.push(`{"version":0,"tags":[],"shapes":[${shapes.join(',')}],"tracks":[]}`);
  }
  return `[${jobs.join(',')}]`;
}

const taskJson = JSON.stringify({
  name: 'bench',
  version: '1.0',
  labels: [
    {
      name: 'car',
      color: '#fa3253',
      attributes: [{ name: 'colour', input_type: 'text', mutable: false, default_value: '', values: [] }],
    },
  ],
  data: { image_quality: 70, start_frame: 0, stop_frame: JOBS * 10 - 1 },
  jobs: Array.from({ length: JOBS }, (_, j) => ({ start_frame: j * 10, stop_frame: j * 10 + 9 })),
});

async function archive(): Promise<Buffer> {
  const parts: Buffer[] = [];
  const out = new PassThrough().on('data', (c: Buffer) => parts.push(c));
  const zip = new ZipWriter(out);
  await zip.addBuffer('task.json', Buffer.from(taskJson));
  await zip.addBuffer('annotations.json', Buffer.from(annotationsJson()));
  await zip.addBuffer('data/manifest.jsonl', Buffer.from('{"version":"1.1"}\n{"type":"images"}\n'));
  await zip.finish();
  return Buffer.concat(parts);
}

/** The task with its annotation stream sampled for heap use every 1,000 events. */
function sampled(task: TaskContent, peak: { bytes: number }): TaskContent {
  return {
    ...task,
    async *annotations() {
      let n = 0;
      for await (const event of task.annotations()) {
        if (++n % 1000 === 0) peak.bytes = Math.max(peak.bytes, process.memoryUsage().heapUsed);
        yield event;
      }
    },
  };
}

async function time(task: TaskContent, pass: (t: TaskContent) => Promise<unknown>) {
  const peak = { bytes: 0 };
  // CPU time as well as wall time: on a loaded machine the wall clock mostly measures the others.
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await pass(sampled(task, peak));
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, peakHeapMiB: peak.bytes / 2 ** 20 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const bytes = await archive();
const backup = await openBackup(new BufferSource(bytes));
if (backup.kind !== 'task') throw new Error('expected a task');
const passes = {
  // validateAnnotations' body: one read of the stream (its counting is all it adds).
  'read only (before)': async (t: TaskContent) => {
    for await (const _ of t.annotations());
  },
  'checkAnnotations (now)': checkAnnotations,
};
const results: Record<string, { seconds: number[]; cpu: number[]; peak: number }> = {};
for (let run = 0; run < RUNS + 1; run++) {
  // Alternate the two, first round discarded (warm-up).
  for (const [name, pass] of Object.entries(passes)) {
    const r = await time(backup.task, pass);
    if (run === 0) continue;
    results[name] ??= { seconds: [], cpu: [], peak: 0 };
    results[name].seconds.push(r.seconds);
    results[name].cpu.push(r.cpuSeconds);
    results[name].peak = Math.max(results[name].peak, r.peakHeapMiB);
  }
}
console.log(
  `${SHAPES} polygons in ${JOBS} jobs, annotations.json ${(bytes.length / 2 ** 20).toFixed(1)} MiB (archive in memory), ${RUNS} runs`,
);
for (const [name, r] of Object.entries(results))
  console.log(
    `${name.padEnd(24)} median wall ${median(r.seconds).toFixed(3)} s, cpu ${median(r.cpu).toFixed(3)} s, peak heap ${r.peak.toFixed(0)} MiB`,
  );
const [before, now] = Object.values(results).map((r) => median(r.cpu));
console.log(
  `added cpu: ${((now! - before!) * 1000).toFixed(0)} ms (${((now! / before! - 1) * 100).toFixed(0)}%)`,
);
await backup.close();
