import { Writable } from 'node:stream';
import { AppError, createLogger } from '@cvat-backup/common';
import { createCodedWorker, QUEUE_NAMES, readJobMetrics } from '@cvat-backup/queue';
import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withJobLog } from './job-log.js';
import { jobLabels, recordJobMetrics } from './job-metrics.js';

describe('recordJobMetrics and withJobLog on a real BullMQ worker', () => {
  const prefix = uniqueName('wmetrics');
  let connection: Redis;
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  const logger = createLogger({ level: 'info', destination });

  beforeAll(() => {
    connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await connection.quit();
    await deleteRedisKeys(prefix);
  });

  it('labels export and import jobs from their payloads, and nothing else', () => {
    expect(jobLabels('export', { target: 'task', destination: { location: 'cloud_storage' } })).toEqual({
      kind: 'export',
      resource: 'task',
      location: 'cloud_storage',
    });
    expect(jobLabels('import', { target: 'project', source: { kind: 'staged' } })).toEqual({
      kind: 'import',
      resource: 'project',
      location: 'local',
    });
    expect(jobLabels('maintenance', { target: 'users', destination: { location: 'x' } })).toEqual({
      kind: 'maintenance',
      resource: 'none',
      location: 'none',
    });
  });

  it('records a completed and a failed export, and logs every line of a job with its fields', async () => {
    const queue = new Queue(QUEUE_NAMES.export, { connection, prefix });
    const events = new QueueEvents(QUEUE_NAMES.export, { connection: connection.duplicate(), prefix });
    await events.waitUntilReady();
    const worker = createCodedWorker(
      QUEUE_NAMES.export,
      (job: Job<{ targetId: number; fail: boolean }>) =>
        withJobLog(
          logger,
          job,
          'export',
          async (phase) => {
            phase('writing-media');
            phase('writing-media');
            if (job.data.fail) throw new AppError('NOT_FOUND', { resource: `task ${job.data.targetId}` });
            await job.updateProgress({ phase: 'done', bytes: 123_456, entries: 3 });
            phase('done');
            return { size: 123_456 };
          },
          (r) => ({ bytes: r.size }),
        ),
      { connection, prefix },
    );
    recordJobMetrics(worker, 'export', { redis: connection, prefix, logger });
    try {
      const payload = { target: 'task', userId: 7, destination: { location: 'local' } };
      const ok = await queue.add(
        'export:task',
        { ...payload, targetId: 12, fail: false },
        { jobId: 'rq-ok' },
      );
      await ok.waitUntilFinished(events, 30_000);
      const bad = await queue.add(
        'export:task',
        { ...payload, targetId: 13, fail: true },
        { jobId: 'rq-bad' },
      );
      await expect(bad.waitUntilFinished(events, 30_000)).rejects.toThrow(/NOT_FOUND/);
      // The worker's own listeners record after the events above reach the test; wait for them.
      let snapshot = await readJobMetrics(connection, prefix);
      for (let i = 0; i < 50 && snapshot.failures.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        snapshot = await readJobMetrics(connection, prefix);
      }
      const labels = { kind: 'export', resource: 'task', location: 'local' };
      expect(snapshot.bytes).toEqual([
        { labels, buckets: [{ le: 2 ** 20, count: 1 }], sum: 123_456, count: 1 },
      ]);
      expect(snapshot.duration.map((s) => [s.labels['outcome'], s.count]).sort()).toEqual([
        ['completed', 1],
        ['failed', 1],
      ]);
      expect(snapshot.failures).toEqual([{ labels: { ...labels, code: 'NOT_FOUND' }, value: 1 }]);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }

    for (const [jobId, targetId] of [
      ['rq-ok', 12],
      ['rq-bad', 13],
    ] as const) {
      const mine = lines.filter((l) => l['jobId'] === jobId);
      expect(mine.length).toBeGreaterThanOrEqual(3);
      for (const line of mine)
        expect(line).toMatchObject({
          queue: QUEUE_NAMES.export,
          requestId: jobId,
          resource: `task ${targetId}`,
          userId: 7,
        });
    }
    const messages = (jobId: string) => lines.filter((l) => l['jobId'] === jobId).map((l) => l['msg']);
    expect(messages('rq-ok')).toEqual([
      'export started',
      'export phase writing-media',
      'export phase done',
      'export finished',
    ]);
    expect(lines.find((l) => l['msg'] === 'export finished')).toMatchObject({ bytes: 123_456 });
    expect(lines.find((l) => l['msg'] === 'export failed')).toMatchObject({
      code: 'NOT_FOUND',
      phase: 'writing-media',
    });
  });
});
