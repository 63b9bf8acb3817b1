import type { Redis } from 'ioredis';
import type pg from 'pg';

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
  /** Answers, but in a way that puts work at risk (readiness stays 200 unless configured to fail). */
  warning?: string;
}

/** What to do when Redis may evict keys: BullMQ loses jobs when it does. */
export type EvictionCheck = 'warn' | 'fail' | 'off';

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

/**
 * Redis answers PING, and (unless `eviction` is off) its `maxmemory-policy` is `noeviction`, which
 * BullMQ needs: any other policy may drop queued jobs under memory pressure. The client must not queue
 * commands while offline, or this check would hang.
 */
export const redisCheck =
  (redis: Redis, timeoutMs = 1000, eviction: EvictionCheck = 'warn'): DependencyCheck =>
  async () => {
    let policy: string | undefined;
    const result = await timed(timeoutMs, async () => {
      if ((await redis.ping()) !== 'PONG') throw new Error('unexpected PING answer');
      if (eviction === 'off') return;
      // Managed Redis services may refuse CONFIG: then the policy is unknown, not wrong.
      const reply = (await redis.config('GET', 'maxmemory-policy').catch(() => undefined)) as
        | string[]
        | undefined;
      policy = reply?.[1];
    });
    if (!result.ok || eviction === 'off' || policy === 'noeviction') return result;
    const problem =
      policy === undefined
        ? 'could not read maxmemory-policy (CONFIG GET refused); BullMQ needs noeviction'
        : `maxmemory-policy is ${policy}: BullMQ needs noeviction, else Redis may evict queued jobs under memory pressure`;
    return eviction === 'fail' ? { ...result, ok: false, error: problem } : { ...result, warning: problem };
  };

/** PostgreSQL runs a trivial query. */
export const postgresCheck =
  (pool: pg.Pool, timeoutMs = 1000): DependencyCheck =>
  () =>
    timed(timeoutMs, () => pool.query('SELECT 1'));
