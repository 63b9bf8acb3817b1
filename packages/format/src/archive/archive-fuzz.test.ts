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
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyByteMutations, byteMutation, describeByteMutation } from '../testing/fuzz/byte-mutations.js';
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
  FuzzRun,
  fuzzParameters,
  fuzzTimeout,
  withDeadline,
} from '../testing/fuzz/fuzz-run.js';
import { formatSeeds, type SeedArchive } from '../testing/fuzz/seed-archives.js';
import { tempDir } from '../testing/temp-dir.js';

const RUNS = 400;

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
  try {
    const outcome = await withDeadline(
      exerciseArchive(bytes, outDir).then(
        () => 'ok',
        (err: unknown) => expectCodedRefusal(err),
      ),
      label,
    );
    await expectOnlyInside(sandbox.path, outDir);
    return outcome;
  } finally {
    // Also after a failure: fast-check replays shrunk cases, which must not see this one's files.
    await rm(outDir, { recursive: true, force: true });
  }
}

describe('archive reader fuzz', () => {
  it('every seed archive reads back consistently (so mutations start from a valid archive)', async () => {
    for (const seed of seeds) expect(await runCase(seed.bytes, seed.name), seed.name).toBe('ok');
  });

  it(
    'byte-level mutations: flips per record, truncation, splices, header fields',
    async () => {
      const run = new FuzzRun('reader bytes');
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: seeds.length - 1 }),
          fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
          async (seedIndex, mutations) => {
            const bytes = applyByteMutations(seeds[seedIndex]!.bytes, mutations);
            const label = `${seeds[seedIndex]!.name}: ${mutations.map(describeByteMutation).join('; ')}`;
            run.record(await runCase(bytes, label));
          },
        ),
        fuzzParameters(RUNS),
      );
      run.finish();
    },
    fuzzTimeout(RUNS),
  );

  it(
    'entry-level mutations: hostile names, inserted/removed entries, headers, JSON bodies',
    async () => {
      const run = new FuzzRun('reader entries');
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), entryMutation, async (seedIndex, mutation) => {
          const bytes = applyEntryMutation(seedEntries[seedIndex]!, mutation);
          const label = `${seeds[seedIndex]!.name}: ${JSON.stringify(mutation)}`;
          run.record(await runCase(bytes, label));
        }),
        fuzzParameters(RUNS),
      );
      run.finish();
    },
    fuzzTimeout(RUNS),
  );
});
