import { sweepExpired } from '@cvat-backup/backup';
import type { Logger } from '@cvat-backup/common';
import type { LocalDriver } from '@cvat-backup/storage';

export interface SweepDependencies {
  archives: LocalDriver;
  staging: LocalDriver;
  localMedia: LocalDriver;
  /** Archives live this long: a result's TTL plus the reuse window (a reused archive outlives its new result). */
  archiveMaxAgeMs: number;
  stagingMaxAgeMs: number;
  logger: Logger;
}

/** Temp files of interrupted writes older than this are debris (a live write touches its file constantly). */
const TEMP_MAX_AGE_MS = 3600_000;
const leftovers = { olderThanMs: TEMP_MAX_AGE_MS };

/** One sweep: expired archives, stale uploads, and temp files that crashed writes left behind. */
export function sweepHandler(deps: SweepDependencies) {
  return async () => {
    const counts = {
      archives: await sweepExpired(deps.archives, '', deps.archiveMaxAgeMs),
      staged: await sweepExpired(deps.staging, '', deps.stagingMaxAgeMs),
      tempFiles:
        (await deps.archives.sweepIncomplete(leftovers)) +
        (await deps.staging.sweepIncomplete(leftovers)) +
        (await deps.localMedia.sweepIncomplete(leftovers)),
    };
    deps.logger.info(counts, 'sweep done');
    return counts;
  };
}
