import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import { scrapeCache } from './scrape-cache.js';

/** The BullMQ states counted per queue. */
export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;

/**
 * `cvb_queue_jobs{queue,state}` from BullMQ's job counts, read at scrape time (cached for `ttlMs`), and
 * `cvb_queue_up` (0 when Redis did not answer: the counts are then left out rather than reported as 0).
 */
export function registerQueueMetrics(registry: Registry, queues: Queue[], ttlMs = 2000): void {
  const counts = scrapeCache(
    () => Promise.all(queues.map(async (q) => [q.name, await q.getJobCounts(...QUEUE_STATES)] as const)),
    ttlMs,
  );
  new Gauge({
    name: 'cvb_queue_up',
    help: '1 when the queue counts could be read from Redis at this scrape, else 0.',
    registers: [registry],
    async collect() {
      this.set(
        await counts().then(
          () => 1,
          () => 0,
        ),
      );
    },
  });
  new Gauge({
    name: 'cvb_queue_jobs',
    help: 'Jobs in each BullMQ queue by state (completed and failed are those still kept in Redis).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const read = await counts().catch(() => []);
      for (const [queue, byState] of read)
        for (const state of QUEUE_STATES) this.set({ queue, state }, byState[state] ?? 0);
    },
  });
}
