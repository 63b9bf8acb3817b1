import type { Logger } from '@cvat-backup/common';
import {
  type DeliveryObservation,
  failureCode,
  type JobLabels,
  type JobObservation,
  recordDeliveryAttempt,
  recordJobObservation,
} from '@cvat-backup/queue';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

export interface JobMetricsOptions {
  redis: Redis;
  /** The deployment's QUEUE_PREFIX: the API reads the counters under the same one. */
  prefix: string;
  logger: Logger;
}

/** The labels of a job, read from its raw payload; anything unexpected becomes `none`. */
export function jobLabels(kind: string, data: unknown): JobLabels {
  const d = (data ?? {}) as {
    target?: unknown;
    destination?: { location?: unknown };
    source?: { kind?: unknown };
  };
  const resource = d.target === 'task' || d.target === 'project' ? d.target : 'none';
  // Export: where the archive goes; import: where it is read from (a staged upload is local).
  const place = d.destination?.location ?? d.source?.kind;
  const location =
    place === 'local' || place === 'staged' ? 'local' : place === 'cloud_storage' ? place : 'none';
  return { kind, resource, location };
}

/** Archive bytes of a finished job: its last progress report (the `done` phase carries the total). */
function bytesOf(job: Job): number | undefined {
  const bytes = (job.progress as { bytes?: unknown } | undefined)?.bytes;
  return typeof bytes === 'number' ? bytes : undefined;
}

/**
 * Records every finished attempt of `worker`'s jobs into the shared job metrics: duration, bytes of
 * completed ones, failures by code (every failed attempt, also those that will be retried). A
 * postponed job (per-user limit) is neither. Recording never fails a job: a lost sample is logged.
 */
export function recordJobMetrics(worker: Worker, kind: string, options: JobMetricsOptions): void {
  const record = (job: Job, observation: Omit<JobObservation, keyof JobLabels | 'durationSeconds'>) => {
    const durationSeconds = ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
    recordJobObservation(options.redis, options.prefix, {
      ...jobLabels(kind, job.data),
      durationSeconds,
      ...observation,
    }).catch((err) => options.logger.warn({ err, queue: job.queueName, jobId: job.id }, 'job metrics lost'));
  };
  worker.on('completed', (job) => {
    const bytes = bytesOf(job);
    record(job, { outcome: 'completed', ...(bytes !== undefined ? { bytes } : {}) });
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    record(job, { outcome: 'failed', code: failureCode(err.message) ?? 'UNKNOWN' });
  });
}

/**
 * Records webhook delivery attempts (each POST, by the receiver's status class and what it meant
 * for the delivery) beside the job metrics; the job around an attempt is counted as a webhook job
 * too. Never throws: a lost sample is logged.
 */
export function deliveryMetrics(options: JobMetricsOptions): (attempt: DeliveryObservation) => void {
  return (attempt) => {
    recordDeliveryAttempt(options.redis, options.prefix, attempt).catch((err) =>
      options.logger.warn({ err, queue: 'webhook' }, 'webhook delivery metrics lost'),
    );
  };
}
