/**
 * Property-based fuzzing of the archive reader with mutated valid archives (fast-check).
 *
 * For every mutation, opening the archive, reading every task (annotations, manifest, guide),
 * `verify()`, reading every entry and extracting the media either succeeds with consistent
 * content, or fails with a registered AppError mapping to a 4xx. Never an uncoded error, never a
 * case running past its deadline, never a file outside the extraction directory, and memory stays
 * bounded over the run.
 *
 * Default: 400 cases per property (about 15 s on two cores). Longer runs and replays:
 *   FUZZ_RUNS=5000 pnpm exec vitest run --project @cvat-backup/format archive-fuzz
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> …   (both printed by fast-check when a property fails)
 *   FUZZ_CASE_MS=<ms> changes the per-case deadline (default 10,000).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyByteMutation, byteMutation, describeByteMutation } from '../testing/fuzz/byte-mutations.js';
import {
  applyEntryMutation,
  entriesOf,
  entryMutation,
  type SeedEntry,
} from '../testing/fuzz/entry-mutations.js';
import { exerciseArchive } from '../testing/fuzz/exercise-archive.js';
import {
  expectCodedRefusal,
  expectOnlyInside,
  fuzzParameters,
  MemoryWatch,
  withDeadline,
} from '../testing/fuzz/fuzz-run.js';
import { formatSeeds, type SeedArchive } from '../testing/fuzz/seed-archives.js';
import { zipLayout } from '../testing/fuzz/zip-layout.js';
import { tempDir } from '../testing/temp-dir.js';

const RUNS = 400;
/** One case may hold a few copies of an archive and a JSON document; a leak grows with the run. */
const PEAK_LIMIT = 512 << 20;
const GROWTH_LIMIT = 64 << 20;

let sandbox: { path: string; remove(): Promise<void> };
let seeds: SeedArchive[];
let seedEntries: SeedEntry[][];
beforeAll(async () => {
  sandbox = await tempDir('fuzz');
  seeds = await formatSeeds();
  seedEntries = await Promise.all(seeds.map((s) => entriesOf(s.bytes)));
});
afterAll(async () => {
  await sandbox.remove();
});

let caseNo = 0;
/** Runs one mutated archive through the reader; returns the refusal code, or "ok". */
async function runCase(bytes: Buffer, label: string): Promise<string> {
  const outDir = `${sandbox.path}/case-${caseNo++}`;
  const outcome = await withDeadline(
    exerciseArchive(bytes, outDir).then(
      () => 'ok',
      (err: unknown) => expectCodedRefusal(err),
    ),
    label,
  );
  await expectOnlyInside(sandbox.path, outDir);
  return outcome;
}

function tally(outcomes: Map<string, number>, outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

describe('archive reader fuzz', () => {
  it('every seed archive reads back consistently (so mutations start from a valid archive)', async () => {
    for (const seed of seeds) expect(await runCase(seed.bytes, seed.name), seed.name).toBe('ok');
  });

  it('byte-level mutations: flips per record, truncation, splices, header fields', async () => {
    const memory = new MemoryWatch();
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: seeds.length - 1 }),
        fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
        async (seedIndex, mutations) => {
          let bytes = seeds[seedIndex]!.bytes;
          const layout = zipLayout(bytes);
          for (const m of mutations) bytes = applyByteMutation(bytes, m, layout);
          const label = `${seeds[seedIndex]!.name}: ${mutations.map(describeByteMutation).join('; ')}`;
          tally(outcomes, await runCase(bytes, label));
          memory.sample();
        },
      ),
      fuzzParameters(RUNS),
    );
    reportRun('bytes', outcomes, memory);
  });

  it('entry-level mutations: hostile names, inserted/removed entries, headers, JSON bodies', async () => {
    const memory = new MemoryWatch();
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), entryMutation, async (seedIndex, mutation) => {
        const bytes = applyEntryMutation(seedEntries[seedIndex]!, mutation);
        const label = `${seeds[seedIndex]!.name}: ${JSON.stringify(mutation)}`;
        tally(outcomes, await runCase(bytes, label));
        memory.sample();
      }),
      fuzzParameters(RUNS),
    );
    reportRun('entries', outcomes, memory);
  });
});

function reportRun(name: string, outcomes: Map<string, number>, memory: MemoryWatch): void {
  const use = memory.finish();
  console.info(
    `fuzz ${name}: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}; memory ${JSON.stringify(use)}`,
  );
  // The mutations reach past the first check: several distinct refusals, and some survivors.
  expect(outcomes.size).toBeGreaterThanOrEqual(5);
  expect(use.peakGrowth).toBeLessThan(PEAK_LIMIT);
  expect(use.heapGrowth).toBeLessThan(GROWTH_LIMIT);
  expect(use.buffersGrowth).toBeLessThan(GROWTH_LIMIT);
}
