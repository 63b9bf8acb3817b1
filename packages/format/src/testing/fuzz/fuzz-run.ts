/**
 * What every fuzz property shares: run count and seed from the environment, a deadline per case,
 * the rule a refusal must follow (a registered AppError with a 4xx status), and a watch on memory.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AppError, ERROR_REGISTRY, isErrorCode } from '@cvat-backup/common';
import type fc from 'fast-check';

/**
 * `FUZZ_RUNS` is the number of cases of every property (the default keeps a suite well under a
 * minute on two cores); `FUZZ_SEED` and `FUZZ_PATH`, both printed by a failure, replay it exactly.
 * Without `FUZZ_SEED` each run draws a new seed, so CI keeps exploring.
 */
export function fuzzParameters<T>(defaultRuns: number): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Math.random() * 2 ** 31) | 0;
  const params: fc.Parameters<T> = {
    numRuns: Number(process.env.FUZZ_RUNS) || defaultRuns,
    seed,
    endOnFailure: true,
  };
  if (process.env.FUZZ_PATH) params.path = process.env.FUZZ_PATH;
  return params;
}

/** A property's vitest timeout: long runs get longer (a timed-out property runs on in the background). */
export function fuzzTimeout(defaultRuns: number): number {
  return Math.max(60_000, (Number(process.env.FUZZ_RUNS) || defaultRuns) * 100);
}

export const CASE_DEADLINE_MS = Number(process.env.FUZZ_CASE_MS) || 10_000;

/** Fails a case that does not settle in time (a hang, or a loop over a huge declared count). */
export async function withDeadline<T>(work: Promise<T>, label: string, ms = CASE_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Throws unless `err` is how a hostile archive must be refused. Returns its code. */
export function expectCodedRefusal(err: unknown): string {
  if (!(err instanceof AppError)) {
    const what = err instanceof Error ? (err.stack ?? err.message) : String(err);
    throw new Error(`uncoded error: ${what}`);
  }
  if (!isErrorCode(err.code) || ERROR_REGISTRY[err.code] === undefined) {
    throw new Error(`error code ${err.code} is not registered`);
  }
  if (err.status < 400 || err.status > 499) {
    throw new Error(`${err.code} maps to ${err.status}, not a 4xx: ${err.message}`);
  }
  if (/\{\w+\}/.test(err.message)) throw new Error(`${err.code} leaves a placeholder: ${err.message}`);
  return err.code;
}

/** Every file under `root`, relative to it. */
export async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

/** Throws when a file exists under `sandbox` outside `allowed` (both absolute). */
export async function expectOnlyInside(sandbox: string, allowed: string): Promise<void> {
  const inside = relative(sandbox, allowed);
  for (const file of await listTree(sandbox)) {
    if (!file.startsWith(inside + sep)) throw new Error(`a file was written outside its target: ${file}`);
  }
}

const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/**
 * Heap and ArrayBuffer use over a run: the peak (sampled after every case) bounds what one case
 * may allocate, and the growth after a full collection at the end bounds what the run leaks.
 */
export class MemoryWatch {
  readonly #baseline: { heap: number; buffers: number };
  #peak = 0;

  constructor() {
    collectGarbage();
    const m = process.memoryUsage();
    this.#baseline = { heap: m.heapUsed, buffers: m.arrayBuffers };
  }

  sample(): void {
    const m = process.memoryUsage();
    this.#peak = Math.max(
      this.#peak,
      m.heapUsed + m.arrayBuffers - this.#baseline.heap - this.#baseline.buffers,
    );
  }

  finish(): { peakGrowth: number; heapGrowth: number; buffersGrowth: number } {
    collectGarbage();
    const m = process.memoryUsage();
    return {
      peakGrowth: this.#peak,
      heapGrowth: m.heapUsed - this.#baseline.heap,
      buffersGrowth: m.arrayBuffers - this.#baseline.buffers,
    };
  }
}

/** One case may hold a few copies of an archive and a JSON document; a leak grows with the run. */
const PEAK_LIMIT = 512 << 20;
const GROWTH_LIMIT = 64 << 20;

/** Outcomes of a property's cases (refusal codes, or "ok") and the memory they used. */
export class FuzzRun {
  readonly outcomes = new Map<string, number>();
  readonly #memory = new MemoryWatch();

  constructor(readonly name: string) {}

  record(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    this.#memory.sample();
  }

  /**
   * Logs the tally and checks the run as a whole: memory bounded, and several distinct outcomes
   * (mutations that all stop at the first check would test nothing past it).
   */
  finish(): void {
    const use = this.#memory.finish();
    const tally = Object.fromEntries([...this.outcomes].sort());
    console.info(`fuzz ${this.name}: ${JSON.stringify(tally)}; memory ${JSON.stringify(use)}`);
    if (this.outcomes.size < 5) throw new Error(`${this.name}: only ${this.outcomes.size} distinct outcomes`);
    if (use.peakGrowth > PEAK_LIMIT)
      throw new Error(`${this.name}: memory peaked ${use.peakGrowth} B above start`);
    if (use.heapGrowth > GROWTH_LIMIT || use.buffersGrowth > GROWTH_LIMIT) {
      throw new Error(`${this.name}: memory grew over the run: ${JSON.stringify(use)}`);
    }
  }
}
