import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * A Redis client for request-time work and health checks: it reconnects forever in the background
 * but never queues commands while offline, so a check fails fast instead of hanging.
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  return redis;
}

export function createPool(url: string, max = 10): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
}
