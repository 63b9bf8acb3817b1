import { providePostgres } from './services/postgres.service.js';
import { nothingToStop } from './services/provided.js';
import { provideRedis } from './services/redis.service.js';

/**
 * Redis and PostgreSQL for a benchmark run outside vitest: `BENCH_DATABASE_URL` if set, else the same
 * chain the tests use (environment, usual local port, a child process we start). `stop()` stops
 * what was started.
 */
export async function benchServices(): Promise<{
  adminUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}> {
  const fromEnv = process.env.BENCH_DATABASE_URL;
  const [postgres, redis] = await Promise.all([
    fromEnv ? { info: { adminUrl: fromEnv }, stop: nothingToStop } : providePostgres(),
    provideRedis(),
  ]);
  return {
    adminUrl: postgres.info.adminUrl,
    redisUrl: redis.info.url,
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()]);
    },
  };
}
