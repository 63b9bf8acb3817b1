import {
  BYTES_BUCKETS,
  type CounterSeries,
  DELIVERY_BUCKETS,
  DURATION_BUCKETS,
  type HistogramSeries,
  type JobMetricsSnapshot,
} from '@cvat-backup/queue';

/** Label values are from closed sets already; escaping keeps the text valid whatever Redis holds. */
const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');

const number = (n: number) => (n === Number.POSITIVE_INFINITY ? '+Inf' : String(n));

function header(name: string, type: string, help: string): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
}

/** Cumulative buckets over the configured bounds plus any stored ones (bounds changed between versions). */
function histogram(name: string, help: string, bounds: readonly number[], series: HistogramSeries[]) {
  const lines = header(name, 'histogram', help);
  for (const s of series) {
    const les = [...new Set([...bounds, ...s.buckets.map((b) => b.le).filter(Number.isFinite)])].sort(
      (a, b) => a - b,
    );
    const labels = labelText(s.labels);
    const sep = labels ? ',' : '';
    for (const le of les) {
      const cumulative = s.buckets.filter((b) => b.le <= le).reduce((sum, b) => sum + b.count, 0);
      lines.push(`${name}_bucket{${labels}${sep}le="${number(le)}"} ${cumulative}`);
    }
    lines.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${s.count}`);
    lines.push(`${name}_sum{${labels}} ${s.sum}`, `${name}_count{${labels}} ${s.count}`);
  }
  return lines;
}

function counter(name: string, help: string, series: CounterSeries[]) {
  return [
    ...header(name, 'counter', help),
    ...series.map((s) => `${name}{${labelText(s.labels)}} ${s.value}`),
  ];
}

/** The cluster-wide job metrics (written by every worker into Redis) in Prometheus text format. */
export function jobMetricsText(snapshot: JobMetricsSnapshot): string {
  return `${[
    ...histogram(
      'cvb_job_duration_seconds',
      'Duration of finished job attempts, by queue kind, resource, location and outcome.',
      DURATION_BUCKETS,
      snapshot.duration,
    ),
    ...histogram(
      'cvb_job_bytes',
      'Archive bytes written (export) or read (import) by completed jobs, by kind, resource and location.',
      BYTES_BUCKETS,
      snapshot.bytes,
    ),
    ...counter(
      'cvb_job_failures_total',
      'Failed job attempts (retried or final), by kind, resource, location and error code.',
      snapshot.failures,
    ),
    ...histogram(
      'cvb_webhook_delivery_seconds',
      'Webhook delivery attempts (one POST each), by the receiver status class (none: no answer) and outcome (delivered, retry, failed).',
      DELIVERY_BUCKETS,
      snapshot.deliveries,
    ),
  ].join('\n')}\n`;
}
