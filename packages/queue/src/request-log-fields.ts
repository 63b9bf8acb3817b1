import { QUEUE_NAMES } from './queue-names.js';

/**
 * What every log line about one request carries, in the API that enqueues it and in the worker that
 * runs it, so one filter (`requestId`, or `resource`, or `userId`) finds all of its lines.
 */
export interface RequestLogFields {
  queue: string;
  jobId: string | undefined;
  /** The request id clients poll (`rq_id`): the job id of exports and imports. */
  requestId: string | undefined;
  /** What the job is about: `task 12`, `project 3`, or `task (restore)` before the restore made it. */
  resource: string | undefined;
  userId: number | undefined;
}

const REQUEST_QUEUES: readonly string[] = [QUEUE_NAMES.export, QUEUE_NAMES.import];

/** Read from the raw payload (not validated: even a malformed job's lines carry what is there). */
export function requestLogFields(queue: string, jobId: string | undefined, data: unknown): RequestLogFields {
  const d = (data ?? {}) as { target?: unknown; targetId?: unknown; userId?: unknown };
  const target = typeof d.target === 'string' ? d.target : undefined;
  const targetId = typeof d.targetId === 'number' ? d.targetId : undefined;
  const resource =
    target === undefined
      ? undefined
      : targetId !== undefined
        ? `${target} ${targetId}`
        : `${target} (restore)`;
  return {
    queue,
    jobId,
    requestId: REQUEST_QUEUES.includes(queue) ? jobId : undefined,
    resource,
    userId: typeof d.userId === 'number' ? d.userId : undefined,
  };
}
