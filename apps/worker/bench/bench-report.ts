/** Rows of the end-to-end bench: best run against its reference, worker memory and CPU, machine load. */
import type { ApiRun } from './api-runs.js';

export interface Row {
  what: string;
  mib: number;
  referenceName: string;
  /** Best reference time of the run. */
  referenceMs: number;
  /** Best API run (lowest wall time). */
  best: ApiRun;
  /** Best API wall time ÷ best reference time (1 = as fast as the reference). */
  ratio: number;
  mibPerS: number;
  /** Highest worker VmHWM over every run of this row. */
  workerPeakMiB: number;
  runs: ApiRun[];
  extra: Record<string, number>;
}

export function summarize(
  what: string,
  mib: number,
  input: { api: ApiRun[]; referenceName: string; referenceMs: number; extra?: Record<string, number> },
): Row {
  const best = input.api.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  return {
    what,
    mib: round(mib, 1),
    referenceName: input.referenceName,
    referenceMs: Math.round(input.referenceMs),
    best,
    ratio: round(best.wallMs / input.referenceMs, 2),
    mibPerS: round(mib / (best.wallMs / 1000), 0),
    workerPeakMiB: round(Math.max(...input.api.map((r) => r.workerPeakMiB)), 1),
    runs: input.api.map((r) => ({
      ...r,
      workerPeakMiB: round(r.workerPeakMiB, 1),
      workerIdleMiB: round(r.workerIdleMiB, 1),
    })),
    extra: Object.fromEntries(Object.entries(input.extra ?? {}).map(([k, v]) => [k, Math.round(v)])),
  };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const s = (ms: number) => (ms / 1000).toFixed(2);

export function printReport(rows: Row[]): void {
  console.log('\nbackup and restore through the API process + one worker process (best of the runs)');
  console.table(
    Object.fromEntries(
      rows.map((r) => [
        r.what,
        {
          MiB: r.mib,
          'API wall s': s(r.best.wallMs),
          'POST→202 s': s(r.best.acceptedMs),
          'job s': s(r.best.jobMs),
          'MiB/s': r.mibPerS,
          reference: r.referenceName,
          'ref s': s(r.referenceMs),
          '× ref': r.ratio,
          'worker peak MiB': r.workerPeakMiB,
          'worker CPU s': r.best.workerCpuS.toFixed(1),
          'API CPU s': r.best.apiCpuS.toFixed(1),
          load: r.runs.map((x) => x.load1.toFixed(1)).join('/'),
        },
      ]),
    ),
  );
}
