import type { StorageDriver } from '@cvat-backup/storage';
import { SCHEDULE_ARCHIVE_PREFIX } from '../schedules/schedule-run-deps.js';

/**
 * Deletes objects under `prefix` last modified more than `olderThanMs` ago (expired archives, staged
 * uploads nobody imported, abandoned upload chunks). Objects without a modification time are kept, and
 * so are scheduled archives (`schedules/…`): only their schedule's retention deletes them.
 * Returns how many were deleted.
 */
export async function sweepExpired(
  driver: StorageDriver,
  prefix: string,
  olderThanMs: number,
  now = Date.now(),
): Promise<number> {
  let deleted = 0;
  for await (const page of driver.list(prefix)) {
    for (const entry of page) {
      if (entry.key.startsWith(SCHEDULE_ARCHIVE_PREFIX)) continue;
      if (entry.mtime && now - entry.mtime.getTime() > olderThanMs) {
        await driver.delete(entry.key);
        deleted++;
      }
    }
  }
  return deleted;
}
