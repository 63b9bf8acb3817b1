import type { Job, JobState, Queue } from 'bullmq';

export interface JobSnapshot<T> {
  job: Job<T>;
  state: JobState | 'unknown';
}

/**
 * A job with its state, read state first. Reading the job first races with its completion: the
 * state then says `completed` while the job read a moment earlier has no result and no finish time
 * yet, and a client is told "finished" without a download URL. A worker moves a job and writes its
 * result in one step, so a job read after its state holds at least what that state promises.
 */
export async function readJobSnapshot<T>(queue: Queue, jobId: string): Promise<JobSnapshot<T> | undefined> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') return undefined;
  const job = (await queue.getJob(jobId)) as Job<T> | undefined;
  return job ? { job, state } : undefined;
}
