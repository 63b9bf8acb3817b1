import type { Redis } from 'ioredis';
import type pg from 'pg';

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export type DependencyCheck = () => Promise<CheckResult>;

async function timed(timeoutMs: number, probe: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Redis answers PING. The client must not queue commands while offline, or this would hang. */
export const redisCheck =
  (redis: Redis, timeoutMs = 1000): DependencyCheck =>
  () =>
    timed(timeoutMs, async () => {
      if ((await redis.ping()) !== 'PONG') throw new Error('unexpected PING answer');
    });

/** PostgreSQL runs a trivial query. */
export const postgresCheck =
  (pool: pg.Pool, timeoutMs = 1000): DependencyCheck =>
  () =>
    timed(timeoutMs, () => pool.query('SELECT 1'));
