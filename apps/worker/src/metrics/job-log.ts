import { type Logger, toAppError } from '@cvat-backup/common';
import { type RequestLogFields, requestLogFields } from '@cvat-backup/queue';
import type { Job } from 'bullmq';

/** The request's log fields of a job (see requestLogFields). */
export function jobLogFields(job: Job): RequestLogFields {
  return requestLogFields(job.queueName, job.id, job.data);
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
