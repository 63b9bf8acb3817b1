#!/usr/bin/env node
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { cloudStorageConfig } from '@cvat-backup/backup';
import { deriveCredentialsKey, migrate, PgCatalog } from '@cvat-backup/catalog';
import { createLogger, installGracefulShutdown, runMain } from '@cvat-backup/common';
import { createDriver, LocalDriver } from '@cvat-backup/storage';
import { openOpsQueues } from './admin/ops-queues.js';
import { buildApp } from './app.js';
import { openBackupServices } from './backup/backup-services.js';
import { loadApiConfig } from './config.js';
import { connectRedis, createPool } from './connections.js';
import { postgresCheck, redisCheck } from './health/dependency-checks.js';
import { openScheduleServices } from './schedules/schedule-services.js';

async function main() {
  const config = loadApiConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const redis = connectRedis(config.REDIS_URL);
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const pool = createPool(config.DATABASE_URL);
  pool.on('error', (err) => logger.warn({ err }, 'postgres pool error'));

  const migrated = await migrate(pool);
  logger.info({ migrated }, 'catalog migrations applied');
  const catalog = new PgCatalog(pool, { credentialsKey: deriveCredentialsKey(config.SECRET_KEY) });
  if (config.ADMIN_USERNAME && config.ADMIN_PASSWORD) {
    const { created } = await catalog.users.ensureAdmin(config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
    if (created) logger.info({ username: config.ADMIN_USERNAME }, 'first administrator created');
  }
  const mediaRoot = path.resolve(config.DATA_ROOT, 'media');
  await mkdir(mediaRoot, { recursive: true });

  const backup = await openBackupServices({
    redisUrl: config.REDIS_URL,
    queuePrefix: config.QUEUE_PREFIX,
    dataRoot: config.DATA_ROOT,
    resultTtlSeconds: config.RESULT_TTL_SECONDS,
    failureTtlSeconds: config.FAILURE_TTL_SECONDS,
    uploadLimitBytes: config.MAX_BACKUP_UPLOAD_BYTES,
  });

  const schedules = await openScheduleServices({
    redisUrl: config.REDIS_URL,
    queuePrefix: config.QUEUE_PREFIX,
    dataRoot: config.DATA_ROOT,
  });

  const ops = openOpsQueues(config.REDIS_URL, config.QUEUE_PREFIX);

  const app = await buildApp({
    logger,
    ops,
    metricsToken: config.METRICS_TOKEN,
    dashboardReadOnly: config.QUEUE_DASHBOARD_READ_ONLY,
    trustProxy: config.TRUST_PROXY,
    checks: { redis: redisCheck(redis, 1000, config.REDIS_EVICTION_CHECK), postgres: postgresCheck(pool) },
    api: {
      catalog,
      localMedia: new LocalDriver({ kind: 'local', root: mediaRoot }),
      openCloudStorage: (access) => createDriver(cloudStorageConfig(access)),
      registrationEnabled: config.REGISTRATION_ENABLED,
      sessionAgeSeconds: config.SESSION_COOKIE_AGE_SECONDS,
      limits: {
        uploadBytes: config.MAX_UPLOAD_BYTES,
        uploadFiles: config.MAX_UPLOAD_FILES,
        annotationBytes: config.MAX_ANNOTATION_BYTES,
        annotationObjectBytes: config.MAX_ANNOTATION_OBJECT_BYTES,
      },
      backup,
      schedules,
    },
  });

  installGracefulShutdown({
    logger,
    deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
    steps: [
      ['http', () => app.close()],
      ['backup queues', () => backup.close()],
      ['schedule queue', () => schedules.close()],
      ['ops queues', () => ops.close()],
      ['postgres', () => pool.end()],
      ['redis', () => redis.quit().catch(() => redis.disconnect())],
    ],
  });

  const address = await app.listen({ host: config.HOST, port: config.PORT });
  logger.info({ address }, 'api listening');
}

runMain('api', main);
