import { createLogger } from '@cvat-backup/common';
import { QUEUE_NAMES, recordDeliveryAttempt, recordJobObservation } from '@cvat-backup/queue';
import { deleteRedisKeys, startRedisServer, testServices, uniqueName } from '@cvat-backup/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpsQueues, openOpsQueues } from '../admin/ops-queues.js';
import { buildApp } from '../app.js';

/** The value of one sample line, `name{labels} value`, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  const prefix = uniqueName('metrics');
  let ops: OpsQueues;
  let app: FastifyInstance;
  let guarded: FastifyInstance;

  beforeAll(async () => {
    ops = openOpsQueues(testServices().redisUrl, prefix);
    const logger = createLogger({ level: 'silent' });
    app = await buildApp({ logger, checks: {}, ops });
    guarded = await buildApp({ logger, checks: {}, metricsToken: 'scrape-token-0123456789' });
  });
  afterAll(async () => {
    await app?.close();
    await guarded?.close();
    await ops?.close();
    await deleteRedisKeys(prefix);
  });

  const scrape = async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    return res.body;
  };

  it('counts HTTP requests by route pattern, never by raw URL, and has process metrics', async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/api/tasks/4711?secret=1' });
    await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css?v=4711' });
    const text = await scrape();
    expect(sample(text, 'http_requests_total{method="GET",route="/healthz",status_code="200"}')).toBe(1);
    expect(sample(text, 'http_requests_total{method="GET",route="unmatched",status_code="404"}')).toBe(1);
    expect(sample(text, 'http_requests_total{method="GET",route="/docs/static/*",status_code="200"}')).toBe(
      1,
    );
    expect(
      sample(text, 'http_request_duration_seconds_count{method="GET",route="/healthz",status_code="200"}'),
    ).toBe(1);
    expect(text).not.toContain('4711');
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('shows the depth of every queue by state', async () => {
    const exports = ops.queues.find((q) => q.name === QUEUE_NAMES.export)!;
    await exports.add('export:task', { n: 1 });
    await exports.add('export:task', { n: 2 }, { delay: 60_000 });
    // Counts are cached for two seconds: wait past the first scrape's reading.
    await new Promise((r) => setTimeout(r, 2100));
    const text = await scrape();
    expect(sample(text, 'cvb_queue_up')).toBe(1);
    expect(sample(text, `cvb_queue_jobs{queue="${QUEUE_NAMES.export}",state="waiting"}`)).toBe(1);
    expect(sample(text, `cvb_queue_jobs{queue="${QUEUE_NAMES.export}",state="delayed"}`)).toBe(1);
    for (const name of Object.values(QUEUE_NAMES))
      expect(sample(text, `cvb_queue_jobs{queue="${name}",state="active"}`), name).toBe(0);
  });

  it('renders the workers’ job observations as cumulative histograms and failure counters', async () => {
    const labels = { kind: 'export', resource: 'project', location: 'cloud_storage' } as const;
    await recordJobObservation(ops.redis, prefix, {
      ...labels,
      outcome: 'completed',
      durationSeconds: 3,
      bytes: 5e6,
    });
    await recordJobObservation(ops.redis, prefix, {
      ...labels,
      outcome: 'completed',
      durationSeconds: 40,
      bytes: 9,
    });
    await recordJobObservation(ops.redis, prefix, {
      ...labels,
      outcome: 'failed',
      durationSeconds: 1,
      code: 'X_Y',
    });
    await new Promise((r) => setTimeout(r, 2100));
    const text = await scrape();
    const l = 'kind="export",resource="project",location="cloud_storage"';
    const d = `${l},outcome="completed"`;
    expect(sample(text, `cvb_job_duration_seconds_bucket{${d},le="1"}`)).toBe(0);
    expect(sample(text, `cvb_job_duration_seconds_bucket{${d},le="5"}`)).toBe(1);
    expect(sample(text, `cvb_job_duration_seconds_bucket{${d},le="60"}`)).toBe(2);
    expect(sample(text, `cvb_job_duration_seconds_bucket{${d},le="+Inf"}`)).toBe(2);
    expect(sample(text, `cvb_job_duration_seconds_sum{${d}}`)).toBe(43);
    expect(sample(text, `cvb_job_duration_seconds_count{${d}}`)).toBe(2);
    expect(sample(text, `cvb_job_bytes_bucket{${l},le="65536"}`)).toBe(1);
    expect(sample(text, `cvb_job_bytes_bucket{${l},le="16777216"}`)).toBe(2);
    expect(sample(text, `cvb_job_bytes_sum{${l}}`)).toBe(5e6 + 9);
    expect(sample(text, `cvb_job_failures_total{${l},code="X_Y"}`)).toBe(1);
    expect(text).toContain('# TYPE cvb_job_duration_seconds histogram');
    expect(text).toContain('# TYPE cvb_job_failures_total counter');
  });

  it('renders webhook delivery attempts as a histogram by status class and outcome', async () => {
    await recordDeliveryAttempt(ops.redis, prefix, {
      statusClass: '5xx',
      outcome: 'retry',
      durationSeconds: 0.3,
    });
    await recordDeliveryAttempt(ops.redis, prefix, {
      statusClass: '2xx',
      outcome: 'delivered',
      durationSeconds: 0.04,
    });
    await recordDeliveryAttempt(ops.redis, prefix, {
      statusClass: '2xx',
      outcome: 'delivered',
      durationSeconds: 2,
    });
    await new Promise((r) => setTimeout(r, 2100));
    const text = await scrape();
    const ok = 'status_class="2xx",outcome="delivered"';
    expect(text).toContain('# TYPE cvb_webhook_delivery_seconds histogram');
    expect(sample(text, `cvb_webhook_delivery_seconds_bucket{${ok},le="0.05"}`)).toBe(1);
    expect(sample(text, `cvb_webhook_delivery_seconds_bucket{${ok},le="2.5"}`)).toBe(2);
    expect(sample(text, `cvb_webhook_delivery_seconds_count{${ok}}`)).toBe(2);
    expect(sample(text, `cvb_webhook_delivery_seconds_sum{${ok}}`)).toBeCloseTo(2.04);
    expect(sample(text, 'cvb_webhook_delivery_seconds_count{status_class="5xx",outcome="retry"}')).toBe(1);
    // Delivery attempts are not job attempts: the job series do not get a webhook-delivery kind.
    expect(text).not.toMatch(/cvb_job_duration_seconds_count\{[^}]*status_class/);
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const none = await guarded.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer /);
    const wrong = await guarded.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer scrape-token-0123456780' },
    });
    expect(wrong.statusCode).toBe(401);
    const right = await guarded.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer scrape-token-0123456789' },
    });
    expect(right.statusCode).toBe(200);
    // Without queues the API still reports its own requests and process.
    expect(right.body).toContain('http_requests_total{method="GET",route="/metrics",status_code="401"} 2');
    expect(right.body).not.toContain('cvb_queue_jobs{');
  });
});

describe('/metrics while Redis is down', () => {
  it('still answers, quickly, with cvb_queue_up 0 and without queue or job series', async () => {
    // A Redis of this test's own, so stopping it affects nobody else.
    const redis = await startRedisServer();
    const ops = openOpsQueues(redis.url, uniqueName('down'));
    const app = await buildApp({ logger: createLogger({ level: 'silent' }), checks: {}, ops });
    try {
      const labels = { kind: 'export', resource: 'task', location: 'local' } as const;
      await recordJobObservation(ops.redis, ops.prefix, {
        ...labels,
        outcome: 'completed',
        durationSeconds: 1,
      });
      const up = await app.inject({ method: 'GET', url: '/metrics' });
      expect(sample(up.body, 'cvb_queue_up')).toBe(1);
      expect(up.body).toContain('cvb_job_duration_seconds_count{');
      await redis.child.stop();
      await new Promise((r) => setTimeout(r, 2100)); // past the cached reading
      const started = Date.now();
      const down = await app.inject({ method: 'GET', url: '/metrics' });
      expect(down.statusCode).toBe(200);
      expect(Date.now() - started).toBeLessThan(8000);
      expect(sample(down.body, 'cvb_queue_up')).toBe(0);
      expect(down.body).not.toContain('cvb_queue_jobs{');
      expect(down.body).not.toContain('cvb_job_duration_seconds_count{');
      expect(down.body).toContain('http_requests_total{');
    } finally {
      await app.close();
      await ops.close();
      await redis.child.stop();
    }
  });
});
