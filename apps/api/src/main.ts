#!/usr/bin/env node
import { createLogger, installGracefulShutdown, isAppError } from '@cvat-backup/common';
import { buildApp } from './app.js';
import { loadApiConfig } from './config.js';
import { connectRedis, createPool } from './connections.js';
import { postgresCheck, redisCheck } from './health/dependency-checks.js';

async function main() {
  const config = loadApiConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const redis = connectRedis(config.REDIS_URL);
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const pool = createPool(config.DATABASE_URL);
  pool.on('error', (err) => logger.warn({ err }, 'postgres pool error'));

  const app = await buildApp({
    logger,
    trustProxy: config.TRUST_PROXY,
    checks: { redis: redisCheck(redis), postgres: postgresCheck(pool) },
  });

  installGracefulShutdown({
    logger,
    deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
    steps: [
      ['http', () => app.close()],
      ['postgres', () => pool.end()],
      ['redis', () => redis.quit().catch(() => redis.disconnect())],
    ],
  });

  const address = await app.listen({ host: config.HOST, port: config.PORT });
  logger.info({ address }, 'api listening');
}

main().catch((err) => {
  const message = isAppError(err)
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? (err.stack ?? err.message)
      : String(err);
  process.stderr.write(`api failed to start: ${message}\n`);
  process.exit(1);
});
