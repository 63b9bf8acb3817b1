#!/usr/bin/env node
import path from 'node:path';
import { CloudDrivers } from '@cvat-backup/backup';
import { deriveCredentialsKey, migrate, PgCatalog } from '@cvat-backup/catalog';
import { createLogger, installGracefulShutdown, runMain } from '@cvat-backup/common';
import { createCodedWorker, QUEUE_NAMES, RequestIndex, UserSlots } from '@cvat-backup/queue';
import { LocalDriver } from '@cvat-backup/storage';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadWorkerConfig } from './config.js';
import { exportHandler } from './jobs/export.handler.js';
import { importHandler } from './jobs/import.handler.js';
import { perUserLimit } from './jobs/per-user-limit.js';
import { startScheduleWorker } from './jobs/schedule-worker.js';
import { sweepHandler } from './jobs/sweep.handler.js';
import { localStorageRoots } from './local-storage.js';
import { jobLogFields } from './metrics/job-log.js';
import { recordJobMetrics } from './metrics/job-metrics.js';
import { startWebhookWorker } from './webhooks/webhook-worker.js';

async function main() {
  const config = loadWorkerConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  // BullMQ workers block on Redis: they need maxRetriesPerRequest null and simply wait for Redis.
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  connection.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: 2 + config.EXPORT_CONCURRENCY * 2 + config.IMPORT_CONCURRENCY * 2,
  });
  pool.on('error', (err) => logger.warn({ err }, 'postgres pool error'));
  await migrate(pool);

  const catalog = new PgCatalog(pool, { credentialsKey: deriveCredentialsKey(config.SECRET_KEY) });
  const roots = await localStorageRoots(path.resolve(config.DATA_ROOT));
  const localMedia = new LocalDriver({ kind: 'local', root: roots.media });
  const archives = new LocalDriver({ kind: 'local', root: roots.archives });
  const staging = new LocalDriver({ kind: 'local', root: roots.staging });
  const cloud = new CloudDrivers(catalog);

  const common = {
    connection,
    prefix: config.QUEUE_PREFIX,
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.STALLED_CHECK_MS,
    maxStalledCount: config.MAX_STALLED_COUNT,
  };
  const webhooks = await startWebhookWorker({
    catalog,
    config,
    logger,
    common,
    metrics: { redis: connection, prefix: config.QUEUE_PREFIX },
  });
  const slots = new UserSlots(connection, config.QUEUE_PREFIX, config.USER_CONCURRENCY, config.JOB_LOCK_MS);
  const exportWorker = createCodedWorker(
    QUEUE_NAMES.export,
    perUserLimit(
      slots,
      webhooks.outcomes(
        'export',
        exportHandler({
          catalog,
          localMedia,
          archives,
          cloudStorage: cloud.get,
          prefetch: config.MEDIA_PREFETCH,
          reuseWithinMs: config.ARCHIVE_REUSE_SECONDS * 1000,
          logger,
        }),
      ),
    ),
    { ...common, concurrency: config.EXPORT_CONCURRENCY },
  );
  const importWorker = createCodedWorker(
    QUEUE_NAMES.import,
    perUserLimit(
      slots,
      webhooks.outcomes(
        'import',
        importHandler({ catalog, localMedia, staging, cloudStorage: cloud.get, logger }),
      ),
    ),
    {
      ...common,
      concurrency: config.IMPORT_CONCURRENCY,
    },
  );
  for (const [worker, kind] of [
    [exportWorker, 'export'],
    [importWorker, 'import'],
  ] as const)
    webhooks.watchFailures(worker, kind);
  const imports = new Queue(QUEUE_NAMES.import, { connection, prefix: config.QUEUE_PREFIX });
  const maintenanceWorker = createCodedWorker(
    QUEUE_NAMES.maintenance,
    sweepHandler({
      archives,
      staging,
      localMedia,
      roots,
      catalog,
      imports,
      archiveMaxAgeMs: (config.RESULT_TTL_SECONDS + config.ARCHIVE_REUSE_SECONDS) * 1000,
      stagingMaxAgeMs: config.STAGING_TTL_SECONDS * 1000,
      orphanGraceMs: config.ORPHAN_GRACE_SECONDS * 1000,
      logger,
    }),
    { ...common, concurrency: 1 },
  );
  // An upsert: every worker declares the same scheduler, Redis keeps one, so restarts and replicas
  // never multiply the sweeps.
  const maintenance = new Queue(QUEUE_NAMES.maintenance, { connection, prefix: config.QUEUE_PREFIX });
  await maintenance.upsertJobScheduler(
    'sweep',
    { every: config.SWEEP_INTERVAL_SECONDS * 1000 },
    { name: 'sweep', opts: { removeOnComplete: 10, removeOnFail: 10 } },
  );
  const requests = new RequestIndex({ client: connection, prefix: config.QUEUE_PREFIX });
  const scheduled = await startScheduleWorker({ catalog, archives, cloud, logger, requests, common });

  for (const [name, worker] of [
    ['export', exportWorker],
    ['import', importWorker],
    ['maintenance', maintenanceWorker],
  ] as const) {
    recordJobMetrics(worker, name, { redis: connection, prefix: config.QUEUE_PREFIX, logger });
    worker.on('failed', (job, err) =>
      logger.warn(
        { queue: name, ...(job && jobLogFields(job)), attempts: job?.attemptsMade, err },
        'job failed',
      ),
    );
    worker.on('completed', (job) => logger.info(jobLogFields(job), 'job completed'));
    worker.on('error', (err) => logger.error({ queue: name, err }, 'worker error'));
  }
  // The schedule and webhook workers log their own failures; their finished attempts count here too.
  for (const [name, worker] of [
    ['schedule', scheduled.worker],
    ['webhook', webhooks.worker],
  ] as const)
    recordJobMetrics(worker, name, { redis: connection, prefix: config.QUEUE_PREFIX, logger });

  installGracefulShutdown({
    logger,
    deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
    steps: [
      // close() stops taking jobs and waits for the running ones; past the deadline the process exits
      // and BullMQ hands those jobs to another worker once their lock expires.
      [
        'workers',
        () =>
          Promise.all([
            exportWorker.close(),
            importWorker.close(),
            maintenanceWorker.close(),
            maintenance.close(),
            imports.close(),
            scheduled.close(),
          ]),
      ],
      // After the export and import workers: their last outcomes are published on this queue.
      ['webhooks', () => webhooks.close()],
      [
        'drivers',
        () => Promise.all([localMedia.close(), archives.close(), staging.close(), cloud.closeAll()]),
      ],
      ['postgres', () => pool.end()],
      ['redis', () => connection.quit().catch(() => connection.disconnect())],
    ],
  });
  logger.info({ export: config.EXPORT_CONCURRENCY, import: config.IMPORT_CONCURRENCY }, 'worker ready');
}

runMain('worker', main);
