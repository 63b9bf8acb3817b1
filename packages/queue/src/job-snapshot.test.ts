import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobSnapshot } from './job-snapshot.js';

describe('readJobSnapshot on real Redis', () => {
  const prefix = uniqueName('snap');
  let connection: Redis;
  let queue: Queue;

  beforeAll(() => {
    connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue('snap', { connection, prefix });
  });
  afterAll(async () => {
    await queue.close();
    connection.disconnect();
    await deleteRedisKeys(prefix);
  });

  it('answers undefined for a job that does not exist', async () => {
    expect(await readJobSnapshot(queue, 'nope')).toBeUndefined();
  });

  it('never shows a completed job without its result, however close to the completion it reads', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    await queue.addBulk(ids.map((id) => ({ name: 'n', data: { id }, opts: { jobId: id } })));
    const workerConnection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker('snap', async (job) => ({ done: job.data.id }), {
      connection: workerConnection,
      prefix,
      concurrency: 4,
    });
    let completedSeen = 0;
    try {
      const pending = new Set(ids);
      while (pending.size > 0) {
        for (const id of [...pending]) {
          const snapshot = await readJobSnapshot<{ id: string }>(queue, id);
          expect(snapshot).toBeDefined();
          if (snapshot?.state !== 'completed') continue;
          completedSeen++;
          expect(snapshot.job.returnvalue).toEqual({ done: id });
          expect(snapshot.job.finishedOn).toBeGreaterThan(0);
          pending.delete(id);
        }
      }
    } finally {
      await worker.close();
      await workerConnection.quit();
    }
    expect(completedSeen).toBe(ids.length);
  });
});
