import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jobMetricsKey,
  readJobMetrics,
  recordDeliveryAttempt,
  recordJobObservation,
  statusClassOf,
} from './job-metrics.js';

describe('job metrics in Redis', () => {
  const prefix = uniqueName('jobmetrics');
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testServices().redisUrl);
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteRedisKeys(prefix);
  });

  const base = { kind: 'export', resource: 'task', location: 'local' } as const;

  it('starts empty', async () => {
    expect(await readJobMetrics(redis, prefix)).toEqual({
      duration: [],
      bytes: [],
      failures: [],
      deliveries: [],
    });
  });

  it('adds observations from several writers into the same bucket counters', async () => {
    // Two connections stand for two worker processes.
    const other = new Redis(testServices().redisUrl);
    try {
      await Promise.all([
        recordJobObservation(redis, prefix, {
          ...base,
          outcome: 'completed',
          durationSeconds: 0.2,
          bytes: 1000,
        }),
        recordJobObservation(other, prefix, {
          ...base,
          outcome: 'completed',
          durationSeconds: 3,
          bytes: 5e6,
        }),
        recordJobObservation(other, prefix, {
          ...base,
          outcome: 'completed',
          durationSeconds: 1e6,
          bytes: 1e12,
        }),
      ]);
    } finally {
      other.disconnect();
    }
    const { duration, bytes } = await readJobMetrics(redis, prefix);
    expect(duration).toEqual([
      {
        labels: { ...base, outcome: 'completed' },
        buckets: [
          { le: 0.5, count: 1 },
          { le: 5, count: 1 },
          { le: Number.POSITIVE_INFINITY, count: 1 },
        ],
        sum: 0.2 + 3 + 1e6,
        count: 3,
      },
    ]);
    expect(bytes).toEqual([
      {
        labels: base,
        buckets: [
          { le: 2 ** 16, count: 1 },
          { le: 2 ** 24, count: 1 },
          { le: Number.POSITIVE_INFINITY, count: 1 },
        ],
        sum: 1000 + 5e6 + 1e12,
        count: 3,
      },
    ]);
  });

  it('counts failures by code, records their duration, and no bytes', async () => {
    const failed = { ...base, kind: 'import', outcome: 'failed' } as const;
    await recordJobObservation(redis, prefix, { ...failed, durationSeconds: 2, code: 'ARCHIVE_INVALID' });
    await recordJobObservation(redis, prefix, { ...failed, durationSeconds: 2, code: 'ARCHIVE_INVALID' });
    await recordJobObservation(redis, prefix, { ...failed, durationSeconds: 2 });
    const snapshot = await readJobMetrics(redis, prefix);
    const importLabels = { kind: 'import', resource: 'task', location: 'local' };
    expect(snapshot.failures).toEqual(
      expect.arrayContaining([
        { labels: { ...importLabels, code: 'ARCHIVE_INVALID' }, value: 2 },
        { labels: { ...importLabels, code: 'UNKNOWN' }, value: 1 },
      ]),
    );
    expect(snapshot.failures).toHaveLength(2);
    const importDuration = snapshot.duration.find((s) => s.labels['kind'] === 'import');
    expect(importDuration).toMatchObject({
      labels: { ...importLabels, outcome: 'failed' },
      count: 3,
      sum: 6,
    });
    expect(snapshot.bytes.every((s) => s.labels['kind'] === 'export')).toBe(true);
  });

  it('keeps webhook delivery attempts in their own histogram, by status class and outcome', async () => {
    const attempts = [
      { statusClass: statusClassOf(500, false), outcome: 'retry', durationSeconds: 0.03 },
      { statusClass: statusClassOf(204, false), outcome: 'delivered', durationSeconds: 0.2 },
      { statusClass: statusClassOf(200, false), outcome: 'delivered', durationSeconds: 3 },
      { statusClass: statusClassOf(null, false), outcome: 'failed', durationSeconds: 10 },
      { statusClass: statusClassOf(null, true), outcome: 'failed', durationSeconds: 0 },
    ] as const;
    for (const a of attempts) await recordDeliveryAttempt(redis, prefix, a);
    const { deliveries, duration } = await readJobMetrics(redis, prefix);
    const byLabels = Object.fromEntries(
      deliveries.map((s) => [`${s.labels['status_class']}/${s.labels['outcome']}`, s]),
    );
    expect(Object.keys(byLabels).sort()).toEqual([
      '2xx/delivered',
      '5xx/retry',
      'none/failed',
      'refused/failed',
    ]);
    expect(byLabels['2xx/delivered']).toEqual({
      labels: { status_class: '2xx', outcome: 'delivered' },
      buckets: [
        { le: 0.25, count: 1 },
        { le: 5, count: 1 },
      ],
      sum: 3.2,
      count: 2,
    });
    expect(byLabels['5xx/retry']!.buckets).toEqual([{ le: 0.05, count: 1 }]);
    // Job series are untouched by delivery attempts.
    expect(duration.some((s) => 'status_class' in s.labels)).toBe(false);
    expect([statusClassOf(404, false), statusClassOf(302, false), statusClassOf(999, false)]).toEqual([
      '4xx',
      '3xx',
      'none',
    ]);
  });

  it('stores label values outside the closed character set as `other`', async () => {
    await recordJobObservation(redis, prefix, {
      kind: 'webhook',
      resource: 'task 12, user=alice',
      location: 'none',
      outcome: 'failed',
      durationSeconds: 1,
      code: 'bad|code',
    });
    const { failures } = await readJobMetrics(redis, prefix);
    expect(failures).toContainEqual({
      labels: { kind: 'webhook', resource: 'other', location: 'none', code: 'other' },
      value: 1,
    });
    const fields = await redis.hkeys(jobMetricsKey(prefix));
    expect(fields.some((f) => f.includes('alice'))).toBe(false);
  });
});
