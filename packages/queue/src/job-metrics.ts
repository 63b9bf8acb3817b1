import type { Redis } from 'ioredis';

/**
 * Job metrics shared by every worker process through Redis, so one scrape of the API sees the whole
 * cluster: workers add each finished attempt to bucket counters (one MULTI, so a scrape never sees
 * half an observation), the API reads them back and renders Prometheus histograms and counters.
 * Every label value comes from a closed set (queue kinds, task/project, local/cloud_storage, error
 * codes of the registry), so the number of series stays bounded; no user data goes into a label.
 */

/** Upper bounds (seconds) of the job duration histogram: a sweep takes a second, a big backup hours. */
export const DURATION_BUCKETS = [0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600] as const;

/** Upper bounds (bytes) of the archive size histogram: 64 KiB … 256 GiB in steps of four to sixteen. */
export const BYTES_BUCKETS = [
  2 ** 16,
  2 ** 20,
  2 ** 24,
  2 ** 28,
  2 ** 30,
  2 ** 32,
  2 ** 34,
  2 ** 36,
  2 ** 38,
] as const;

/**
 * Upper bounds (seconds) of the webhook delivery histogram: a receiver answers in milliseconds, and
 * an attempt ends at WEBHOOK_TIMEOUT_MS (10 s by default) at the latest.
 */
export const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** The labels of an observation; values outside `[A-Za-z0-9_]` are stored as `other`. */
export interface JobLabels {
  /** The queue's short name: export, import, maintenance, schedule, webhook. */
  kind: string;
  /** task or project; `none` for jobs not about one resource. */
  resource: string;
  /** local or cloud_storage (export target, import source); `none` when not applicable. */
  location: string;
}

/** One finished attempt of a job. */
export interface JobObservation extends JobLabels {
  outcome: 'completed' | 'failed';
  durationSeconds: number;
  /** Archive bytes written (export) or read (import); only for completed attempts that know it. */
  bytes?: number;
  /** The stable error code of a failed attempt (`UNKNOWN` when the failure carried none). */
  code?: string;
}

/** One attempt of one webhook delivery (a POST to a receiver), whatever the job around it did. */
export interface DeliveryObservation {
  /** `2xx` … `5xx` by the receiver's status; `none` when no answer came; `refused` for a blocked target. */
  statusClass: '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'none' | 'refused';
  /** What the attempt meant for the delivery: sent, to be retried, or given up (final answer, last try). */
  outcome: 'delivered' | 'retry' | 'failed';
  durationSeconds: number;
}

/** The status class label of a receiver's answer. */
export function statusClassOf(
  statusCode: number | null,
  refused: boolean,
): DeliveryObservation['statusClass'] {
  if (refused) return 'refused';
  if (statusCode === null || statusCode < 100 || statusCode > 599) return 'none';
  return `${Math.floor(statusCode / 100)}xx` as DeliveryObservation['statusClass'];
}

/** One histogram series: non-cumulative counts per upper bound (`Infinity` last), sum and count. */
export interface HistogramSeries {
  labels: Record<string, string>;
  buckets: Array<{ le: number; count: number }>;
  sum: number;
  count: number;
}

export interface CounterSeries {
  labels: Record<string, string>;
  value: number;
}

export interface JobMetricsSnapshot {
  /** By kind, resource, location, outcome. */
  duration: HistogramSeries[];
  /** By kind, resource, location (completed attempts only). */
  bytes: HistogramSeries[];
  /** Failed attempts by kind, resource, location, code (every attempt, retried or final). */
  failures: CounterSeries[];
  /** Webhook delivery attempts by status class and outcome. */
  deliveries: HistogramSeries[];
}

/** The Redis hash holding every counter, under the deployment's queue prefix. */
export function jobMetricsKey(prefix: string): string {
  return `${prefix}:cvb-metrics:jobs`;
}

const SAFE = /^[A-Za-z0-9_]{1,64}$/;
const clean = (value: string | undefined) => (value && SAFE.test(value) ? value : 'other');

/** Field names: `metric|name=value,…|part` where part is a bucket bound, `sum` or `count`. */
const field = (metric: string, labels: Record<string, string>, part: string) =>
  `${metric}|${Object.entries(labels)
    .map(([k, v]) => `${k}=${clean(v)}`)
    .join(',')}|${part}`;

const bucketOf = (bounds: readonly number[], value: number) =>
  String(bounds.find((le) => value <= le) ?? '+Inf');

type Multi = ReturnType<Redis['multi']>;

/**
 * Queues one histogram observation (bucket, sum, count) on `multi`. A sum is either always integer
 * (bytes: HINCRBY refuses a field a float was ever added to) or always float (seconds).
 */
function observe(
  multi: Multi,
  key: string,
  metric: string,
  labels: Record<string, string>,
  bounds: readonly number[],
  value: number,
  sum: 'integer' | 'float' = 'float',
): Multi {
  const sumField = field(metric, labels, 'sum');
  multi.hincrby(key, field(metric, labels, bucketOf(bounds, value)), 1);
  if (sum === 'integer') multi.hincrby(key, sumField, value);
  else multi.hincrbyfloat(key, sumField, value);
  return multi.hincrby(key, field(metric, labels, 'count'), 1);
}

/** Adds one finished attempt; one MULTI, so readers see all of it or none. */
export async function recordJobObservation(
  redis: Redis,
  prefix: string,
  observation: JobObservation,
): Promise<void> {
  const { kind, resource, location } = observation;
  const base = { kind, resource, location };
  const key = jobMetricsKey(prefix);
  const duration = { ...base, outcome: observation.outcome };
  const seconds = Math.max(0, observation.durationSeconds);
  const multi = observe(redis.multi(), key, 'duration', duration, DURATION_BUCKETS, seconds);
  if (observation.outcome === 'completed' && observation.bytes !== undefined)
    observe(multi, key, 'bytes', base, BYTES_BUCKETS, Math.max(0, Math.round(observation.bytes)), 'integer');
  if (observation.outcome === 'failed')
    multi.hincrby(key, field('failures', { ...base, code: observation.code ?? 'UNKNOWN' }, 'count'), 1);
  await multi.exec();
}

/** Adds one webhook delivery attempt; one MULTI, like a job observation. */
export async function recordDeliveryAttempt(
  redis: Redis,
  prefix: string,
  observation: DeliveryObservation,
): Promise<void> {
  const key = jobMetricsKey(prefix);
  const labels = { status_class: observation.statusClass, outcome: observation.outcome };
  const seconds = Math.max(0, observation.durationSeconds);
  await observe(redis.multi(), key, 'delivery', labels, DELIVERY_BUCKETS, seconds).exec();
}

/** Reads every counter back, grouped into series (one HGETALL: the hash is small by construction). */
export async function readJobMetrics(redis: Redis, prefix: string): Promise<JobMetricsSnapshot> {
  const all = await redis.hgetall(jobMetricsKey(prefix));
  const histograms = {
    duration: new Map<string, HistogramSeries>(),
    bytes: new Map<string, HistogramSeries>(),
    delivery: new Map<string, HistogramSeries>(),
  };
  const failures = new Map<string, CounterSeries>();
  for (const [name, raw] of Object.entries(all)) {
    const [metric, labelText, part] = name.split('|');
    if (labelText === undefined || part === undefined) continue;
    const labels = Object.fromEntries(
      labelText.split(',').map((pair) => pair.split('=') as [string, string]),
    );
    const value = Number(raw);
    if (metric === 'failures') {
      failures.set(labelText, { labels, value });
      continue;
    }
    if (metric !== 'duration' && metric !== 'bytes' && metric !== 'delivery') continue;
    const series = histograms[metric].get(labelText) ?? { labels, buckets: [], sum: 0, count: 0 };
    histograms[metric].set(labelText, series);
    if (part === 'sum') series.sum = value;
    else if (part === 'count') series.count = value;
    else series.buckets.push({ le: part === '+Inf' ? Number.POSITIVE_INFINITY : Number(part), count: value });
  }
  const sorted = (map: Map<string, HistogramSeries>) =>
    [...map.values()].map((s) => ({ ...s, buckets: s.buckets.sort((a, b) => a.le - b.le) }));
  return {
    duration: sorted(histograms.duration),
    bytes: sorted(histograms.bytes),
    failures: [...failures.values()],
    deliveries: sorted(histograms.delivery),
  };
}
