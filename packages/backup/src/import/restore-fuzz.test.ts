/**
 * Property-based fuzzing of a restore's checks with mutated archives (fast-check; the mutations
 * are the format fuzz suite's). Each archive is staged as an upload and read as runImport reads
 * it (ranged reads through the storage seam). Opening it, every check importTask and
 * importProject run before writing anything, the pure steps that turn it into catalog rows, and
 * the media copy into a real local storage either succeed, or fail with a registered AppError that
 * maps to a 4xx. Never an uncoded error, never a case past its deadline, never a file outside the
 * import prefix, and memory stays bounded over the run.
 *
 * The last property restores each mutated archive all the way (runImport into a fresh PostgreSQL
 * database): created, or refused with a coded 4xx (runImport turns anything uncoded into INTERNAL).
 *
 * Default: 400 cases per property, 150 whole restores (about 25 s on two cores). Longer runs and replays:
 *   FUZZ_RUNS=5000 pnpm exec vitest run --project @cvat-backup/backup restore-fuzz
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> …   (both printed by fast-check when a property fails)
 *   FUZZ_CASE_MS=<ms> changes the per-case deadline (default 10,000).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyByteMutations, byteMutation } from '@cvat-backup/format/testing/fuzz/byte-mutations';
import {
  applyEntryMutation,
  entriesOf,
  entryMutation,
} from '@cvat-backup/format/testing/fuzz/entry-mutations';
import {
  expectCodedRefusal,
  FuzzRun,
  fuzzParameters,
  fuzzTimeout,
  listTree,
  withDeadline,
} from '@cvat-backup/format/testing/fuzz/fuzz-run';
import { type FuzzCorpus, mutationProperties } from '@cvat-backup/format/testing/fuzz/mutation-properties';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Fixture, openFixture } from '../../test/export-fixture.js';
import { exerciseRestore, restoreSeeds, stageUpload } from '../../test/restore-fuzz.js';
import { runImport } from '../jobs/run-import.js';

const RUNS = 400;
/** Whole restores write to PostgreSQL: fewer of them. */
const FULL_RUNS = 150;

let fx: Fixture;
let sandbox: string;
let uploads: LocalDriver;
const corpus: FuzzCorpus = { seeds: [], entries: [] };
beforeAll(async () => {
  sandbox = await mkdtemp(path.join(tmpdir(), 'cvb-restore-fuzz-'));
  await mkdir(path.join(sandbox, 'uploads'));
  uploads = new LocalDriver({ kind: 'local', root: path.join(sandbox, 'uploads') });
  corpus.seeds = await restoreSeeds();
  fx = await openFixture();
  corpus.entries = await Promise.all(corpus.seeds.map((s) => entriesOf(s.bytes)));
});
afterAll(async () => {
  if (lateFiles.size > 0) console.info(`late temp files after aborted copies: ${[...lateFiles].join(', ')}`);
  await rm(sandbox, { recursive: true, force: true });
  await fx?.close();
});

type Restore = (
  upload: { driver: StorageDriver; key: string },
  media: StorageDriver,
  requestId: string,
) => Promise<unknown>;

let caseNo = 0;
const lateFiles = new Set<string>();
/** One restore of a mutated archive into a fresh media root; returns the refusal code or "ok". */
async function runCase(bytes: Buffer, label: string, restore: Restore = exerciseRestore): Promise<string> {
  const n = caseNo++;
  const root = path.join(sandbox, `media-${n}`);
  await mkdir(root);
  const media = new LocalDriver({ kind: 'local', root });
  const upload = { driver: uploads, key: `case-${n}.zip` };
  try {
    await stageUpload(uploads, upload.key, bytes);
    const outcome = await withDeadline(
      restore(upload, media, `fuzz-${n}`).then(
        () => 'ok',
        (err: unknown) => expectCodedRefusal(err),
      ),
      label,
    );
    // Restored media land under imports/<hash>/raw/ of a media root, and nowhere else. A file in
    // an earlier case's root is a temp file the local storage created after its copy was aborted
    // (LocalFileSink.abort does not wait for an open in flight): inside its prefix, but late.
    for (const file of await listTree(sandbox)) {
      const parts = file.split(path.sep);
      if (parts[0] === 'uploads') continue;
      if (!parts[0]!.startsWith('media-') || parts[1] !== 'imports' || parts[3] !== 'raw') {
        throw new Error(`${label}: a file was written outside the import prefix: ${file}`);
      }
      if (parts[0] !== path.basename(root)) lateFiles.add(file);
    }
    return outcome;
  } finally {
    // Also after a failure: fast-check replays shrunk cases, which must not see this one's files.
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    await uploads.delete(upload.key);
  }
}

describe('restore checks fuzz', () => {
  mutationProperties('restore', RUNS, corpus, (bytes, label) => runCase(bytes, label));

  it(
    'whole restores (runImport into PostgreSQL) of mutated archives: created, or a coded 4xx that leaves no media',
    async () => {
      const run = new FuzzRun('restore whole');
      const mutation = fc.oneof(
        fc.record({ bytes: fc.array(byteMutation, { minLength: 1, maxLength: 2 }) }),
        fc.record({ entry: entryMutation }),
      );
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: corpus.seeds.length - 1 }), mutation, async (seedIndex, m) => {
          const seed = corpus.seeds[seedIndex]!;
          const bytes =
            'bytes' in m
              ? applyByteMutations(seed.bytes, m.bytes)
              : applyEntryMutation(corpus.entries[seedIndex]!, m.entry);
          const target = seed.name.includes('project') ? 'project' : 'task';
          const restore: Restore = async (source, localMedia, importRequestId) => {
            const result = await runImport(
              { catalog: fx.catalog, localMedia },
              { target, source, userId: fx.actor.id, importRequestId },
            ).catch(async (err: unknown) => {
              // Refused before the copy, or after it and cleaned up: a refusal leaves no media.
              const left: string[] = [];
              for await (const page of localMedia.list('')) left.push(...page.map((e) => e.key));
              if (left.length) throw new Error(`a refused restore left media: ${left.join(', ')}`);
              throw err;
            });
            if (!result.created) throw new Error(`${importRequestId} was not created`);
          };
          run.record(await runCase(bytes, `${seed.name}: ${JSON.stringify(m)}`, restore));
        }),
        fuzzParameters(FULL_RUNS),
      );
      run.finish();
    },
    fuzzTimeout(FULL_RUNS),
  );
});
