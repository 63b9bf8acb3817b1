import { type Env, env, readConfig } from '@cvat-backup/common';
import { z } from 'zod';

/** Everything the worker process reads from its environment, validated once at start. */
export const workerConfigShape = {
  DATA_ROOT: z.string().default('./.data'),
  REDIS_URL: env.url(['redis:', 'rediss:']),
  DATABASE_URL: env.url(['postgres:', 'postgresql:']),
  LOG_LEVEL: env.logLevel(),
  SHUTDOWN_TIMEOUT_MS: env.positiveInt(60_000),
};

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(source: Env = process.env) {
  return readConfig(workerConfigShape, source);
}
