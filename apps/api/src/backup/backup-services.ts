import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BackupProducer, QUEUE_NAMES } from '@cvat-backup/queue';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** What the backup endpoints need beyond the catalog; side effects stay behind these. */
export interface BackupServices {
  /** Publishes export/import jobs; its `exports`/`imports` queues are read for request status. */
  producer: BackupProducer;
  /** Archives written for local download (`DATA_ROOT/archives`, keys from the export outcome). */
  archives: StorageDriver;
  /** Uploads staged for the import worker (`DATA_ROOT/staging`); TUS chunks live under `tus/`. */
  staging: StorageDriver;
  /** The webhook queue (same connection): pings and redeliveries are queued here. */
  webhooks: Queue;
  /** How long a finished request and its archive stay available (`expiry_date`). */
  resultTtlSeconds: number;
  /** How long a failed request stays visible with its message. */
  failureTtlSeconds: number;
  /** Largest backup archive accepted for import (multipart or TUS); larger answers 413. */
  uploadLimitBytes: number;
  /** False while the queues' Redis connection is down: requests then answer 503 instead of hanging. */
  queuesAvailable(): boolean;
  /** Releases the producer and its Redis connection. */
  close(): Promise<void>;
}

export interface BackupServicesOptions {
  redisUrl: string;
  /** BullMQ key prefix; must equal the worker's QUEUE_PREFIX. */
  queuePrefix: string;
  /** The worker's DATA_ROOT: `archives/` and `staging/` under it are shared with the worker. */
  dataRoot: string;
  resultTtlSeconds: number;
  failureTtlSeconds: number;
  uploadLimitBytes: number;
}

/**
 * Opens the producer (its own Redis connection: BullMQ needs `maxRetriesPerRequest: null`, unlike the
 * request-time client) and the local drivers of the layout the worker uses.
 */
export async function openBackupServices(options: BackupServicesOptions): Promise<BackupServices> {
  const roots = {
    archives: path.resolve(options.dataRoot, 'archives'),
    staging: path.resolve(options.dataRoot, 'staging'),
  };
  await Promise.all(Object.values(roots).map((dir) => mkdir(dir, { recursive: true })));
  // A queue (unlike a worker) may give up on a command: a request fails instead of waiting for Redis.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  // Errors surface on the commands that fail; the connection itself keeps retrying.
  connection.on('error', () => {});
  const producer = new BackupProducer({
    connection,
    prefix: options.queuePrefix,
    resultTtlSeconds: options.resultTtlSeconds,
    failureTtlSeconds: options.failureTtlSeconds,
  });
  const webhooks = new Queue(QUEUE_NAMES.webhook, { connection, prefix: options.queuePrefix });
  for (const queue of [producer.exports, producer.imports, webhooks]) queue.on('error', () => {});
  // Start with the connection up when Redis is, without making the API's start depend on it.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    connection.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  // Jobs queued before the per-user request index existed get their entries once per deployment, in
  // the background; should it fail (Redis down), the first `GET /api/requests` does it instead.
  producer.index.ensureBackfilled(producer).catch(() => undefined);
  const archives = new LocalDriver({ kind: 'local', root: roots.archives });
  const staging = new LocalDriver({ kind: 'local', root: roots.staging });
  return {
    producer,
    archives,
    staging,
    webhooks,
    resultTtlSeconds: options.resultTtlSeconds,
    failureTtlSeconds: options.failureTtlSeconds,
    uploadLimitBytes: options.uploadLimitBytes,
    queuesAvailable: () => connection.status === 'ready',
    async close() {
      await producer.close();
      await webhooks.close();
      await Promise.all([archives.close(), staging.close()]);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
