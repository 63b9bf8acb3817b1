/** Children print one JSON line: what they did, how long it took, and their own peak RSS. */
export function report(fields: Record<string, number | string>): void {
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  process.stdout.write(`${JSON.stringify({ ...fields, cpuSeconds, maxRssMiB: usage.maxRSS / 1024 })}\n`);
}
