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
import { afterAll, beforeAll, describe } from 'vitest';
import { entriesOf } from '../testing/fuzz/entry-mutations.js';
import { exerciseArchive } from '../testing/fuzz/exercise-archive.js';
import { expectCodedRefusal, expectOnlyInside, withDeadline } from '../testing/fuzz/fuzz-run.js';
import { type FuzzCorpus, mutationProperties } from '../testing/fuzz/mutation-properties.js';
import { formatSeeds } from '../testing/fuzz/seed-archives.js';
import { tempDir } from '../testing/temp-dir.js';

const RUNS = 400;

let sandbox: { path: string; remove(): Promise<void> };
const corpus: FuzzCorpus = { seeds: [], entries: [] };
beforeAll(async () => {
  sandbox = await tempDir('fuzz');
  corpus.seeds = await formatSeeds();
  corpus.entries = await Promise.all(corpus.seeds.map((s) => entriesOf(s.bytes)));
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

describe('archive reader fuzz', () => mutationProperties('reader', RUNS, corpus, runCase));
