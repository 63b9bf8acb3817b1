import { AppError } from '@cvat-backup/common';
import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodedWorker, failureCode } from './coded-worker.js';

describe('coded worker on real Redis', () => {
  const prefix = uniqueName('cw');
  const queueName = 'coded';
  let connection: Redis;
  let queue: Queue;
  let events: QueueEvents;
  const attemptsSeen = new Map<string, number>();

  beforeAll(async () => {
    connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(queueName, { connection, prefix });
    events = new QueueEvents(queueName, { connection: connection.duplicate(), prefix });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events.close();
    await queue.close();
    connection.disconnect();
    await deleteRedisKeys(prefix);
  });

  async function run(mode: string) {
    const worker = createCodedWorker(
      queueName,
      async (job: Job<{ mode: string }>) => {
        attemptsSeen.set(job.id!, (attemptsSeen.get(job.id!) ?? 0) + 1);
        if (job.data.mode === 'permanent') throw new AppError('NOT_FOUND', {});
        if (job.data.mode === 'transient' && job.attemptsMade < 2)
          throw new AppError('DEPENDENCY_UNAVAILABLE', { dependency: 'S3', reason: 'timeout' });
        if (job.data.mode === 'uncoded' && job.attemptsMade < 1) throw new TypeError('socket hang up');
        return 'ok';
      },
      { connection: connection.duplicate({ maxRetriesPerRequest: null }), prefix },
    );
    try {
      const job = await queue.add(mode, { mode }, { attempts: 4, backoff: { type: 'fixed', delay: 50 } });
      const outcome = await job.waitUntilFinished(events, 15_000).then(
        (value) => ({ value }),
        (err: Error) => ({ error: err.message }),
      );
      return { outcome, attempts: attemptsSeen.get(job.id!), job: (await queue.getJob(job.id!))! };
    } finally {
      await worker.close();
    }
  }

  it('fails a permanent coded error at once, keeping its code', async () => {
    const { outcome, attempts, job } = await run('permanent');
    expect(outcome).toEqual({ error: 'NOT_FOUND: Not found.' });
    expect(attempts).toBe(1);
    expect(failureCode(job.failedReason)).toBe('NOT_FOUND');
  });

  it('retries a transient coded error and then succeeds', async () => {
    const { outcome, attempts } = await run('transient');
    expect(outcome).toEqual({ value: 'ok' });
    expect(attempts).toBe(3);
  });

  it('treats an uncoded error as transient', async () => {
    const { outcome, attempts } = await run('uncoded');
    expect(outcome).toEqual({ value: 'ok' });
    expect(attempts).toBe(2);
  });
});
