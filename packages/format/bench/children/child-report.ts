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

let sectionStart = process.cpuUsage();

/** Marks the start of the measured section: `sectionCpuSeconds` counts from here (not startup). */
export function startSection(): void {
  sectionStart = process.cpuUsage();
}

/**
 * Children print one JSON line: what they did, how long it took, CPU time (whole process, and of
 * the measured section: the evidence that holds up on a busy machine) and peak RSS.
 */
export function report(fields: Record<string, number | string>): void {
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  const section = process.cpuUsage(sectionStart);
  const sectionCpuSeconds = (section.user + section.system) / 1e6;
  const sectionSysSeconds = section.system / 1e6;
  const line = { ...fields, cpuSeconds, sectionCpuSeconds, sectionSysSeconds, maxRssMiB: peakRssMiB() };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
