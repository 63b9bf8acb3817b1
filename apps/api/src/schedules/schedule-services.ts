import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { QUEUE_NAMES } from '@cvat-backup/queue';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** What the schedule endpoints need beyond the catalog. */
export interface ScheduleServices {
  /** The schedule queue: job schedulers are upserted/removed here, run-now fires are added here. */
  queue: Queue;
  /** The worker's archive store (`DATA_ROOT/archives`): local scheduled archives are read from it. */
  archives: StorageDriver;
  /** False while Redis is down: writes then answer 503 instead of hanging. */
  queuesAvailable(): boolean;
  close(): Promise<void>;
}

export interface ScheduleServicesOptions {
  redisUrl: string;
  /** Must equal the worker's QUEUE_PREFIX. */
  queuePrefix: string;
  /** The worker's DATA_ROOT. */
  dataRoot: string;
}

export async function openScheduleServices(options: ScheduleServicesOptions): Promise<ScheduleServices> {
  const root = path.resolve(options.dataRoot, 'archives');
  await mkdir(root, { recursive: true });
  // Like the backup producer's: a request fails fast instead of waiting for Redis.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  connection.on('error', () => {});
  const queue = new Queue(QUEUE_NAMES.schedule, { connection, prefix: options.queuePrefix });
  queue.on('error', () => {});
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    connection.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const archives = new LocalDriver({ kind: 'local', root });
  return {
    queue,
    archives,
    queuesAvailable: () => connection.status === 'ready',
    async close() {
      await queue.close();
      await archives.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
