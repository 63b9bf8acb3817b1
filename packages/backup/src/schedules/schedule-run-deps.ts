import type { Catalog, ScheduleRunRecord } from '@cvat-backup/catalog';
import type { Logger } from '@cvat-backup/common';
import type { ExportJobPayload, RunJobsState, WebhookEvent } from '@cvat-backup/queue';
import type { StorageDriver } from '@cvat-backup/storage';

/** What a schedule run needs from the outside; the worker provides the queue and storage sides. */
export interface ScheduleRunDependencies {
  catalog: Catalog;
  /**
   * Queues one export per payload as children of the run's parent job, with deterministic ids, so
   * queueing the same run again adds nothing.
   */
  fanOut(run: ScheduleRunRecord, exports: ExportJobPayload[]): Promise<void>;
  /** What the queue still knows of a running run's parent job and exports. */
  inspectRun(run: ScheduleRunRecord): Promise<RunJobsState>;
  /** Removes the parent job of a run settled without it (a stuck parent would sit in Redis forever). */
  dropRun(run: ScheduleRunRecord): Promise<void>;
  /** Publishes a webhook event (a repeated event id is a no-op). */
  publish(event: WebhookEvent): Promise<void>;
  /** The driver holding an archive: the local archive store, or a cloud storage. */
  driverFor(location: {
    location: 'local' | 'cloud_storage';
    cloud_storage_id: number | null;
  }): Promise<StorageDriver>;
  logger: Logger;
  now?: () => Date;
}

/** Local scheduled archives live under their schedule: the TTL sweep leaves this prefix alone. */
export const SCHEDULE_ARCHIVE_PREFIX = 'schedules/';

export function scheduledLocalKey(scheduleId: number, runId: number, filename: string): string {
  return `${SCHEDULE_ARCHIVE_PREFIX}${scheduleId}/run-${runId}/${filename}`;
}

/** Ended runs kept per schedule (older ones go unless an archive still names them). */
export const RUN_HISTORY = 500;
