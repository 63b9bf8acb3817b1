#!/usr/bin/env node
import { createLogger, installGracefulShutdown, isAppError } from '@cvat-backup/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadWorkerConfig } from './config.js';

async function main() {
  const config = loadWorkerConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  // BullMQ workers need maxRetriesPerRequest: null (they block on Redis); a worker waits for Redis.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 5 });
  pool.on('error', (err) => logger.warn({ err }, 'postgres pool error'));

  await redis.ping();
  await pool.query('SELECT 1');

  installGracefulShutdown({
    logger,
    deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
    steps: [
      ['postgres', () => pool.end()],
      ['redis', () => redis.quit().catch(() => redis.disconnect())],
    ],
  });
  logger.info('worker connected to Redis and PostgreSQL');
}

main().catch((err) => {
  const message = isAppError(err)
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? (err.stack ?? err.message)
      : String(err);
  process.stderr.write(`worker failed to start: ${message}\n`);
  process.exit(1);
});
