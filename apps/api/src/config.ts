import { type Env, env, readConfig } from '@cvat-backup/common';
import { z } from 'zod';

/** Everything the API process reads from its environment, validated once at start. */
export const apiConfigShape = {
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(8080),
  /** Media of local tasks live under `DATA_ROOT/media`. */
  DATA_ROOT: z.string().default('./.data'),
  REDIS_URL: env.url(['redis:', 'rediss:']),
  DATABASE_URL: env.url(['postgres:', 'postgresql:']),
  LOG_LEVEL: env.logLevel(),
  SHUTDOWN_TIMEOUT_MS: env.positiveInt(25_000),
  /** Behind a proxy, trust X-Forwarded-* (absolute URLs in responses use them). */
  TRUST_PROXY: env.boolean(false),
  /** Redis's eviction policy must be noeviction for BullMQ: `warn` reports it in /readyz, `fail` makes it not ready. */
  REDIS_EVICTION_CHECK: z
    .enum(['warn', 'fail', 'off'], { error: 'expected warn, fail or off' })
    .default('warn'),
  /** The first administrator, created on start when no user of that name exists. */
  ADMIN_USERNAME: z.string().min(1).optional(),
  ADMIN_PASSWORD: z.string().min(1).optional(),
  /** Server secret; the cloud-credential encryption key is derived from it (keep it stable). */
  SECRET_KEY: z.string().min(16, 'expected at least 16 characters'),
  /** CVAT's `POST /api/auth/register`; off on servers whose accounts an administrator hands out. */
  REGISTRATION_ENABLED: env.boolean(true),
  /** Django's SESSION_COOKIE_AGE (CVAT keeps the two-week default): a login's session ends after it. */
  SESSION_COOKIE_AGE_SECONDS: env.positiveInt(14 * 24 * 3600),
  /** Largest `POST /api/tasks/{id}/data` request (all files together); larger answers 413. */
  MAX_UPLOAD_BYTES: env.bytes('10GiB'),
  /** Most files in one data upload. */
  MAX_UPLOAD_FILES: env.positiveInt(100_000),
  /** Largest annotation body (PUT/PATCH); it is streamed, so this bounds time, not memory. */
  MAX_ANNOTATION_BYTES: env.bytes('4GiB'),
  /** Largest single annotation object (one shape or track with its elements) in a streamed body. */
  MAX_ANNOTATION_OBJECT_BYTES: env.bytes('16MiB'),
  /** BullMQ key prefix of the backup queues; must equal the worker's. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]+$/, 'expected letters, digits, - or _')
    .default('bull'),
  /** How long a finished backup request and its archive stay available; the worker reads the same variable. */
  RESULT_TTL_SECONDS: env.positiveInt(24 * 3600),
  /** How long a failed backup request stays visible with its message. */
  FAILURE_TTL_SECONDS: env.positiveInt(24 * 3600),
  /** Largest backup archive accepted for restore (multipart or TUS); larger answers 413. */
  MAX_BACKUP_UPLOAD_BYTES: env.bytes('10GiB'),
  /** When set, `GET /metrics` requires `Authorization: Bearer <METRICS_TOKEN>`; open otherwise, as scrapers expect. */
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /** The queue dashboard (`/admin/queues`) without the buttons that change queues (retry, clean, add, empty…). */
  QUEUE_DASHBOARD_READ_ONLY: env.boolean(true),
};

export type ApiConfig = ReturnType<typeof loadApiConfig>;

export function loadApiConfig(source: Env = process.env) {
  const config = readConfig(apiConfigShape, source);
  return config;
}
