import fc from 'fast-check';
import { expect, it } from 'vitest';
import { applyByteMutations, byteMutation, describeByteMutation } from './byte-mutations.js';
import { applyEntryMutation, entryMutation, type SeedEntry } from './entry-mutations.js';
import { FuzzRun, fuzzParameters, fuzzTimeout } from './fuzz-run.js';
import type { SeedArchive } from './seed-archives.js';

/** The seed archives and their entries, filled in by the suite's `beforeAll`. */
export interface FuzzCorpus {
  seeds: SeedArchive[];
  entries: SeedEntry[][];
}

/**
 * Registers, in the calling `describe`, the properties every fuzz suite runs over one corpus: the
 * seeds themselves pass (so mutations start from valid archives), then byte-level and entry-level
 * mutations of them, each case handed to the suite's `runCase` (which answers "ok" or the refusal
 * code, and asserts its own invariants).
 */
export function mutationProperties(
  name: string,
  runs: number,
  corpus: FuzzCorpus,
  runCase: (bytes: Buffer, label: string) => Promise<string>,
): void {
  it('every seed archive passes (mutations start from valid archives)', async () => {
    for (const seed of corpus.seeds) expect(await runCase(seed.bytes, seed.name), seed.name).toBe('ok');
  });

  it(
    'byte-level mutations: flips per record, truncation, splices, header fields',
    async () => {
      const run = new FuzzRun(`${name} bytes`);
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: corpus.seeds.length - 1 }),
          fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
          async (seedIndex, mutations) => {
            const seed = corpus.seeds[seedIndex]!;
            const label = `${seed.name}: ${mutations.map(describeByteMutation).join('; ')}`;
            run.record(await runCase(applyByteMutations(seed.bytes, mutations), label));
          },
        ),
        fuzzParameters(runs),
      );
      run.finish();
    },
    fuzzTimeout(runs),
  );

  it(
    'entry-level mutations: hostile names, inserted/removed entries, headers, JSON bodies',
    async () => {
      const run = new FuzzRun(`${name} entries`);
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: corpus.seeds.length - 1 }),
          entryMutation,
          async (seedIndex, mutation) => {
            const bytes = applyEntryMutation(corpus.entries[seedIndex]!, mutation);
            run.record(await runCase(bytes, `${corpus.seeds[seedIndex]!.name}: ${JSON.stringify(mutation)}`));
          },
        ),
        fuzzParameters(runs),
      );
      run.finish();
    },
    fuzzTimeout(runs),
  );
}
