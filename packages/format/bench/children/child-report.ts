import { readFileSync } from 'node:fs';

/**
 * Peak resident set size of this process in MiB. `VmHWM` is the high-water mark of this
 * process's own address space; `getrusage` maxRSS is not used because Linux carries the parent's
 * (forked) RSS over exec, which would report the bench runner's memory instead of the child's.
 */
function peakRssMiB(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Children print one JSON line: what they did, how long it took, CPU time and peak RSS. */
export function report(fields: Record<string, number | string>): void {
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  process.stdout.write(`${JSON.stringify({ ...fields, cpuSeconds, maxRssMiB: peakRssMiB() })}\n`);
}
