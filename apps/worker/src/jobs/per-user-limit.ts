import type { UserSlots } from '@cvat-backup/queue';
import { DelayedError, type Job } from 'bullmq';

/** How long a job waits when its user has no free slot before it is tried again. */
const RETRY_AFTER_MS = 2000;

/**
 * Runs at most the configured number of jobs per user at once (across queues and workers); a job over
 * the limit goes back to the queue, delayed, without using an attempt.
 */
export function perUserLimit<D, R>(
  slots: UserSlots,
  handler: (job: Job<D, R>, token: string | undefined) => Promise<R>,
) {
  return async (job: Job<D, R>, token: string | undefined): Promise<R> => {
    const userId = (job.data as { userId?: unknown }).userId;
    // A payload without a user is refused by the handler's own validation.
    if (typeof userId !== 'number' || !job.id) return handler(job, token);
    return slots.run(
      userId,
      job.id,
      () => handler(job, token),
      async () => {
        await job.moveToDelayed(Date.now() + RETRY_AFTER_MS, token);
        throw new DelayedError();
      },
    );
  };
}
