import { isAppError, toAppError } from '@cvat-backup/common';
import {
  DelayedError,
  type Job,
  type Processor,
  UnrecoverableError,
  Worker,
  type WorkerOptions,
} from 'bullmq';

/** Failure text stored on a BullMQ job: `CODE: message`, so clients and metrics see the stable code. */
export function failureText(code: string, message: string): string {
  return `${code}: ${message}`;
}

/** Reads the code back from a failed job's reason; undefined for failures not made here. */
export function failureCode(failedReason: string | undefined): string | undefined {
  return failedReason ? /^([A-Z][A-Z0-9_]+): /.exec(failedReason)?.[1] : undefined;
}

/** The text of a failed job's reason without its `CODE: ` prefix, as a user should read it. */
export function failureMessage(failedReason: string): string {
  const code = failureCode(failedReason);
  return code ? failedReason.slice(code.length + 2) : failedReason;
}

/** How a coded worker fails a job for `err`: the reason stored on the job, and whether it is final. */
export function classifyFailure(err: unknown): { text: string; permanent: boolean } {
  const coded = toAppError(err);
  return { text: failureText(coded.code, coded.message), permanent: isAppError(err) && !err.retryable };
}

/**
 * A BullMQ worker whose handler throws coded errors: permanent ones (bad archive, missing source
 * object, denied credentials…) fail the job at once as UnrecoverableError; transient ones are
 * retried by BullMQ with the job's backoff. Anything uncoded counts as transient.
 */
export function createCodedWorker<Data, Result>(
  queueName: string,
  handler: (job: Job<Data, Result>, token: string | undefined) => Promise<Result>,
  options: WorkerOptions,
): Worker<Data, Result> {
  const processor: Processor<Data, Result> = async (job, token) => {
    try {
      return await handler(job, token);
    } catch (err) {
      // The handler postponed the job (moveToDelayed): let BullMQ see its own signal.
      if (err instanceof DelayedError) throw err;
      const { text, permanent } = classifyFailure(err);
      if (permanent) throw new UnrecoverableError(text);
      const retry = new Error(text);
      retry.cause = err;
      throw retry;
    }
  };
  return new Worker<Data, Result>(queueName, processor, options);
}
