import { type Env, env, readConfig } from '@cvat-backup/common';
import { z } from 'zod';

/** Everything the API process reads from its environment, validated once at start. */
export const apiConfigShape = {
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(8080),
  DATA_ROOT: z.string().default('./.data'),
  REDIS_URL: env.url(['redis:', 'rediss:']),
  DATABASE_URL: env.url(['postgres:', 'postgresql:']),
  LOG_LEVEL: env.logLevel(),
  SHUTDOWN_TIMEOUT_MS: env.positiveInt(25_000),
  /** Behind a proxy, trust X-Forwarded-* (absolute URLs in responses use them). */
  TRUST_PROXY: env.boolean(false),
};

export type ApiConfig = ReturnType<typeof loadApiConfig>;

export function loadApiConfig(source: Env = process.env) {
  return readConfig(apiConfigShape, source);
}
