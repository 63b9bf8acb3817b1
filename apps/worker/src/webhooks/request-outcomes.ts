import { createHash } from 'node:crypto';
import type { UserRepository } from '@cvat-backup/catalog';
import type { Logger } from '@cvat-backup/common';
import {
  classifyFailure,
  type ExportJobPayload,
  type FoundRequest,
  type ImportJobPayload,
  publishWebhookEvent,
  toRequestView,
  type WebhookEventType,
} from '@cvat-backup/queue';
import { DelayedError, type Job, type Queue, type Worker } from 'bullmq';

export interface OutcomeDependencies {
  /** The webhook queue. */
  queue: Queue;
  users: Pick<UserRepository, 'get'>;
  /** The API's public origin for `result_url`; undefined leaves it null. */
  publicUrl: string | undefined;
  resultTtlSeconds: number;
  failureTtlSeconds: number;
  logger: Logger;
}

type Kind = 'export' | 'import';
type Payload<K extends Kind> = K extends 'export' ? ExportJobPayload : ImportJobPayload;

/**
 * The event id of one outcome of one request: the request id (with `:` replaced, a BullMQ id may not
 * hold one; hashed when long) and the job's creation time, which tells a request apart from a later
 * one with the same id. A re-run of the same job (a crashed worker) publishes the same id: one event.
 */
export function outcomeEventId(job: Pick<Job, 'id' | 'timestamp'>, outcome: 'finished' | 'failed'): string {
  const id = job.id ?? '';
  const name = id.length <= 400 ? id.replace(/:/g, '_') : createHash('sha256').update(id).digest('hex');
  return `${name}-${job.timestamp}-${outcome}`;
}

/** Publishes one outcome of one request job; a failure to publish is logged, never thrown. */
async function publishOutcome(
  kind: Kind,
  deps: OutcomeDependencies,
  job: Job,
  view: Partial<Job>,
  failed: boolean,
): Promise<void> {
  const userId = (job.data as { userId?: unknown }).userId;
  if (typeof userId !== 'number') return;
  const scheduleId = (job.data as { schedule?: { scheduleId?: unknown } }).schedule?.scheduleId;
  const ended = {
    ...job,
    finishedOn: job.finishedOn ?? Date.now(),
    ...view,
  } as unknown as FoundRequest['job'];
  const found = { kind, job: ended, state: failed ? 'failed' : 'completed' } as FoundRequest;
  try {
    const user = await deps.users.get(userId);
    const payload = toRequestView(found, {
      origin: deps.publicUrl?.replace(/\/$/, '') ?? '',
      owner: user ? { id: user.id, username: user.username } : null,
      resultTtlSeconds: deps.resultTtlSeconds,
      failureTtlSeconds: deps.failureTtlSeconds,
    });
    if (!deps.publicUrl) payload.result_url = null;
    const type =
      `${kind === 'export' ? 'backup' : 'restore'}:${failed ? 'failed' : 'finished'}` as WebhookEventType;
    await publishWebhookEvent(deps.queue, {
      version: 1,
      eventId: outcomeEventId(job, failed ? 'failed' : 'finished'),
      type,
      userId,
      ...(typeof scheduleId === 'number' ? { scheduleId } : {}),
      occurredAt: new Date().toISOString(),
      payload: { ...payload },
    });
  } catch (err) {
    deps.logger.warn({ err, jobId: job.id }, 'webhook event not published');
  }
}

/**
 * Wraps an export or import handler so that its outcome is published as a webhook event before the
 * job ends: `finished` just before the result is returned, `failed` just before the last failure is
 * thrown (a permanent error, or the last allowed attempt). Publishing first means a worker dying
 * between the two loses nothing: the job is run again and publishes the same event id (a no-op).
 * A publish that fails (Redis down) is logged and does not change the job's outcome.
 */
export function publishingOutcomes<K extends Kind, R>(
  kind: K,
  deps: OutcomeDependencies,
  handler: (job: Job<Payload<K>, R>, token: string | undefined) => Promise<R>,
) {
  return async (job: Job<Payload<K>, R>, token: string | undefined): Promise<R> => {
    let result: R;
    try {
      result = await handler(job, token);
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      const { text, permanent } = classifyFailure(err);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (permanent || lastAttempt)
        await publishOutcome(kind, deps, job, { failedReason: text, finishedOn: Date.now() }, true);
      throw err;
    }
    await publishOutcome(
      kind,
      deps,
      job,
      { returnvalue: result, finishedOn: Date.now() } as Partial<Job>,
      false,
    );
    return result;
  };
}

/**
 * The second way a failure is told: the worker's `failed` event, for jobs that failed for good
 * without the handler's last word (a job that stalled too often, or whose in-handler publish was
 * lost). The event id is the handler's, so a failure told both ways is one event.
 */
export function watchFailures(worker: Worker, kind: Kind, deps: OutcomeDependencies): void {
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) void publishOutcome(kind, deps, job, {}, true);
  });
}
