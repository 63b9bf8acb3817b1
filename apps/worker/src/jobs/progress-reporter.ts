import type { JobProgress } from '@cvat-backup/queue';
import type { Job } from 'bullmq';

/**
 * Reports progress to BullMQ at most every `intervalMs` (each report is a Redis write), and always the
 * phase changes. Reporting never fails the job: a lost progress update is not worth a retry.
 */
export function progressReporter(job: Job, intervalMs = 500): (progress: JobProgress) => void {
  let lastAt = 0;
  let lastPhase: string | undefined;
  return (progress) => {
    const now = Date.now();
    if (progress.phase === lastPhase && now - lastAt < intervalMs) return;
    lastAt = now;
    lastPhase = progress.phase;
    void job.updateProgress(progress).catch(() => {});
  };
}
