import type { Catalog } from '@cvat-backup/catalog';
import { isAppError } from '@cvat-backup/common';
import type { ExportJobPayload } from '@cvat-backup/queue';
import type { StorageDriver } from '@cvat-backup/storage';
import type { ExportOutcome } from '../jobs/run-export.js';
import { scheduledLocalKey } from './schedule-run-deps.js';

/**
 * The key a scheduled export writes to: local archives under the schedule's own folder (kept from the
 * TTL sweep; only retention deletes them), cloud archives under their rendered name. Undefined for an
 * on-demand export.
 */
export function scheduledExportKey(payload: ExportJobPayload): string | undefined {
  if (!payload.schedule || payload.destination.location !== 'local' || !payload.filename) return undefined;
  return scheduledLocalKey(payload.schedule.scheduleId, payload.schedule.runId, payload.filename);
}

/**
 * Records a scheduled export's archive as its schedule's (so retention may delete it, and only it).
 * When the schedule was deleted meanwhile, the archive nobody governs is deleted instead.
 */
export async function recordScheduledArchive(
  catalog: Catalog,
  payload: ExportJobPayload,
  outcome: ExportOutcome,
  driver: () => Promise<StorageDriver>,
): Promise<void> {
  const ref = payload.schedule;
  if (!ref) return;
  try {
    await catalog.schedules.recordArchive({
      schedule_id: ref.scheduleId,
      run_id: ref.runId,
      target: payload.target,
      target_id: payload.targetId,
      location: outcome.location,
      cloud_storage_id: outcome.cloudStorageId,
      key: outcome.key,
      filename: outcome.filename,
      size: outcome.size,
      lightweight: outcome.lightweight,
      lightweight_requested: payload.lightweight,
      resource_updated_date: new Date(outcome.resourceUpdatedDate),
    });
  } catch (err) {
    if (!isAppError(err, 'CATALOG_REFERENCE_NOT_FOUND')) throw err;
    await (await driver()).delete(outcome.key);
  }
}
