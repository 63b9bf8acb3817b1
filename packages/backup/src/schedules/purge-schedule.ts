import { isAppError } from '@cvat-backup/common';
import type { ScheduleRunDependencies } from './schedule-run-deps.js';

const BATCH = 100;

export interface PurgeOutcome {
  /** Archives whose file and row were deleted. */
  deleted: number;
  /** Archives that could not be deleted now (the next sweep retries them). */
  failed: number;
  /** True when the schedule itself is gone. */
  removed: boolean;
}

/**
 * The second and third steps of deleting a schedule with its archives (the first, marking the
 * schedule and its rows, is the API's): each marked archive's file is deleted (unless another kept row
 * names the same object), then its row; once no row is left, the schedule goes. A crash anywhere leaves
 * marked rows that the next call finishes; deleting a file already gone is harmless.
 */
export async function purgeSchedule(
  deps: Pick<ScheduleRunDependencies, 'catalog' | 'driverFor' | 'logger'>,
  scheduleId: number,
): Promise<PurgeOutcome> {
  const schedules = deps.catalog.schedules;
  const outcome: PurgeOutcome = { deleted: 0, failed: 0, removed: false };
  const failedIds = new Set<number>();
  for (;;) {
    const batch = (await schedules.archivesToPurge(scheduleId, BATCH + failedIds.size)).filter(
      (a) => !failedIds.has(a.id),
    );
    if (batch.length === 0) break;
    for (const archive of batch) {
      try {
        if (!(await schedules.objectShared(archive)))
          await (await deps.driverFor(archive)).delete(archive.key);
        await schedules.deleteArchive(scheduleId, archive.id);
        outcome.deleted++;
      } catch (err) {
        if (isAppError(err, 'BACKUP_CLOUD_STORAGE_NOT_FOUND')) {
          // The storage record was deleted: nothing here can reach the bucket any more, and retrying
          // would keep the schedule half-deleted forever. The row goes; the log names what was left.
          deps.logger.warn(
            { scheduleId, archiveId: archive.id, cloudStorageId: archive.cloud_storage_id, key: archive.key },
            'archive of a deleted schedule left in a cloud storage that no longer exists',
          );
          await schedules.deleteArchive(scheduleId, archive.id);
          continue;
        }
        failedIds.add(archive.id);
        outcome.failed++;
        deps.logger.warn(
          { scheduleId, archiveId: archive.id, location: archive.location, err },
          'archive of a deleted schedule not deleted yet; retried by the next sweep',
        );
      }
    }
  }
  outcome.removed = outcome.failed === 0 && (await schedules.finishPurge(scheduleId));
  deps.logger.info({ scheduleId, ...outcome }, 'schedule archives purged');
  return outcome;
}

/** The sweep's share: finishes every deletion with archives that a crash (or an outage) interrupted. */
export async function purgeDeletingSchedules(
  deps: Pick<ScheduleRunDependencies, 'catalog' | 'driverFor' | 'logger'>,
): Promise<number> {
  let removed = 0;
  for (const id of await deps.catalog.schedules.purging())
    if ((await purgeSchedule(deps, id)).removed) removed++;
  return removed;
}
