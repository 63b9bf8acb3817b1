import { QUEUE_NAMES } from '@cvat-backup/queue';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** Every queue of the system, opened for watching: the dashboard shows them, the metrics count them. */
export interface OpsQueues {
  queues: Queue[];
  /** The connection the queues share; the job metrics are read through it too. */
  redis: Redis;
  /** The deployment's QUEUE_PREFIX (the workers write their job metrics under it). */
  prefix: string;
  close(): Promise<void>;
}

/**
 * Opens one BullMQ queue per name in QUEUE_NAMES under `prefix`, on a connection of their own that
 * gives up on a command instead of queueing it while Redis is down (a scrape must not hang).
 */
export function openOpsQueues(redisUrl: string, prefix: string): OpsQueues {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  // Errors surface on the commands that fail; the connection itself keeps retrying.
  redis.on('error', () => {});
  const queues = Object.values(QUEUE_NAMES).map((name) => {
    const queue = new Queue(name, { connection: redis, prefix });
    queue.on('error', () => {});
    return queue;
  });
  return {
    queues,
    redis,
    prefix,
    async close() {
      await Promise.all(queues.map((q) => q.close()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
