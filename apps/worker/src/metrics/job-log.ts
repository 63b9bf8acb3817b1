import { type Logger, toAppError } from '@cvat-backup/common';
import { QUEUE_NAMES } from '@cvat-backup/queue';
import type { Job } from 'bullmq';

/** What every log line about one job carries, so one filter finds all of a request's lines. */
export interface JobLogFields {
  queue: string;
  jobId: string | undefined;
  /** The request id clients poll (`rq_id`): the job id of exports and imports. */
  requestId: string | undefined;
  /** What the job is about: `task 12`, `project 3`, or `task (restore)` before the restore made it. */
  resource: string | undefined;
  userId: number | undefined;
}

const REQUEST_QUEUES: readonly string[] = [QUEUE_NAMES.export, QUEUE_NAMES.import];

/** Read from the raw payload (before validation, so even a malformed job's lines carry what is there). */
export function jobLogFields(job: Job): JobLogFields {
  const data = (job.data ?? {}) as { target?: unknown; targetId?: unknown; userId?: unknown };
  const target = typeof data.target === 'string' ? data.target : undefined;
  const targetId = typeof data.targetId === 'number' ? data.targetId : undefined;
  const resource =
    target === undefined
      ? undefined
      : targetId !== undefined
        ? `${target} ${targetId}`
        : `${target} (restore)`;
  return {
    queue: job.queueName,
    jobId: job.id,
    requestId: REQUEST_QUEUES.includes(job.queueName) ? job.id : undefined,
    resource,
    userId: typeof data.userId === 'number' ? data.userId : undefined,
  };
}

/** A child logger whose every line carries the job's fields. */
export function jobLogger(logger: Logger, job: Job): Logger {
  return logger.child(jobLogFields(job));
}

/** Logs one phase change of a running job (progress callbacks repeat a phase many times). */
export type PhaseLog = (phase: string) => void;

/**
 * Runs one job's work with a log line at its start, one per phase change, one at its end with the
 * duration and what `summary` picks from the result (bytes, …), and one on failure with the stable code.
 */
export async function withJobLog<R>(
  logger: Logger,
  job: Job,
  what: string,
  run: (phase: PhaseLog) => Promise<R>,
  summary: (result: R) => Record<string, unknown>,
): Promise<R> {
  const log = jobLogger(logger, job);
  const started = Date.now();
  let current: string | undefined;
  const phase: PhaseLog = (name) => {
    if (name === current) return;
    current = name;
    log.info({ phase: name }, `${what} phase ${name}`);
  };
  log.info({ attempt: job.attemptsMade + 1 }, `${what} started`);
  try {
    const result = await run(phase);
    log.info({ durationMs: Date.now() - started, ...summary(result) }, `${what} finished`);
    return result;
  } catch (err) {
    const code = toAppError(err).code;
    log.warn({ durationMs: Date.now() - started, code, phase: current, err }, `${what} failed`);
    throw err;
  }
}
