import { type Env, env, readConfig } from '@cvat-backup/common';
import { z } from 'zod';
import { webhookConfigShape } from './webhooks/webhook-config.js';

/** Everything the worker process reads from its environment, validated once at start. */
export const workerConfigShape = {
  /** Local storage root: media under `media/`, archives under `archives/`, uploads under `staging/`. */
  DATA_ROOT: z.string().default('./.data'),
  REDIS_URL: env.url(['redis:', 'rediss:']),
  DATABASE_URL: env.url(['postgres:', 'postgresql:']),
  /** Decrypts cloud-storage credentials (must equal the API's). */
  SECRET_KEY: z.string().min(16, 'expected at least 16 characters'),
  LOG_LEVEL: env.logLevel(),
  /** How long a SIGTERM waits for running jobs before exiting (they are then retried elsewhere). */
  SHUTDOWN_TIMEOUT_MS: env.positiveInt(60_000),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]+$/, 'expected letters, digits, - or _')
    .default('bull'),
  EXPORT_CONCURRENCY: env.positiveInt(2),
  /** Jobs of one user running at once, over both queues and every worker (a fair share). */
  USER_CONCURRENCY: env.positiveInt(2),
  IMPORT_CONCURRENCY: env.positiveInt(1),
  /**
   * A job whose worker stops renewing its lock (crashed, killed) is taken over by another worker after
   * the lock expires and the stalled check runs: shorter means faster recovery, longer tolerates
   * longer event-loop stalls.
   */
  JOB_LOCK_MS: env.positiveInt(30_000),
  STALLED_CHECK_MS: env.positiveInt(30_000),
  /**
   * How many times a job is taken over after its worker died; one more death fails it. BullMQ's own
   * default (1) failed a job on the second crash with attempts left; 4 gives five runs, as the five
   * attempts a request gets, and still bounds a job that kills every worker running it (out of memory).
   */
  MAX_STALLED_COUNT: env.positiveInt(4),
  /** How long a finished request (and its archive) stays available; must equal the API's. */
  RESULT_TTL_SECONDS: env.positiveInt(24 * 3600),
  /** Staged uploads never imported, and abandoned upload chunks, are removed after this. */
  STAGING_TTL_SECONDS: env.positiveInt(24 * 3600),
  SWEEP_INTERVAL_SECONDS: env.positiveInt(600),
  /**
   * Local media no task references (a restore that failed for good) and scheduled archives no row
   * records (a worker died before recording one) are deleted once their newest file is this old. It
   * must exceed the longest media copy of a restore and the longest scheduled export. At least an
   * hour: a folder is judged by its newest file, and one file of an upload or a copy can take minutes.
   */
  ORPHAN_GRACE_SECONDS: env
    .positiveInt(24 * 3600)
    .pipe(
      z
        .number()
        .min(
          3600,
          'expected at least 3600 (an hour): a shorter grace could delete media still being written',
        ),
    ),
  /** Media objects requested ahead of the one being written (parallel GETs). */
  MEDIA_PREFETCH: env.positiveInt(4),
  /** A local archive of an unchanged resource younger than this is served again instead of rebuilt. */
  ARCHIVE_REUSE_SECONDS: env.positiveInt(6 * 3600),
  ...webhookConfigShape,
};

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(source: Env = process.env) {
  return readConfig(workerConfigShape, source);
}
