import type { ScheduleRepository } from '@cvat-backup/catalog';
import type { StorageDriver } from '@cvat-backup/storage';
import { SCHEDULE_ARCHIVE_PREFIX } from '../schedules/schedule-run-deps.js';

/** `schedules/<schedule id>/run-<run id>/<file>`, as `scheduledLocalKey` makes them. */
const RUN_FILE = /^schedules\/(\d+)\/run-(\d+)\/./;

export interface UnrecordedArchiveDependencies {
  /** The local archive store. */
  archives: StorageDriver;
  schedules: Pick<ScheduleRepository, 'runningRuns' | 'runArchives'>;
  /** A file younger than this is kept, recorded or not. */
  graceMs: number;
  now?: () => number;
}

/**
 * Deletes scheduled local archives that no archive row names: a worker died between committing the
 * file and recording its row, or the schedule's rows went (a deletion cascaded them away). Retention
 * deletes only what rows name, so nothing else would ever delete these.
 *
 * An export still running for its run must keep its file: it commits the file, then records the row,
 * and the run stays `running` until every export ended. Runs read as running are skipped whole; a run
 * that starts after they were read writes files younger than the grace period. Returns how many files
 * were deleted.
 */
export async function sweepUnrecordedArchives(deps: UnrecordedArchiveDependencies): Promise<number> {
  const now = deps.now ?? Date.now;
  const running = new Set((await deps.schedules.runningRuns()).map((r) => r.id));
  let deleted = 0;
  for await (const run of staleRunFiles(deps.archives, now() - deps.graceMs)) {
    if (running.has(run.runId)) continue;
    const recorded = new Set(
      (await deps.schedules.runArchives(run.runId))
        .filter((a) => a.location === 'local' && a.schedule_id === run.scheduleId)
        .map((a) => a.key),
    );
    for (const key of run.keys)
      if (!recorded.has(key)) {
        await deps.archives.delete(key);
        deleted++;
      }
  }
  return deleted;
}

interface RunFiles {
  scheduleId: number;
  runId: number;
  /** The run folder's files older than the grace period. */
  keys: string[];
}

/** Each run folder's files older than `before`, a folder at a time (the listing is in key order). */
async function* staleRunFiles(archives: StorageDriver, before: number): AsyncIterable<RunFiles> {
  let current: RunFiles | undefined;
  for await (const page of archives.list(SCHEDULE_ARCHIVE_PREFIX)) {
    for (const entry of page) {
      const match = RUN_FILE.exec(entry.key);
      if (!match || !entry.mtime || entry.mtime.getTime() >= before) continue;
      const [scheduleId, runId] = [Number(match[1]), Number(match[2])];
      if (current?.runId !== runId || current.scheduleId !== scheduleId) {
        if (current) yield current;
        current = { scheduleId, runId, keys: [] };
      }
      current.keys.push(entry.key);
    }
  }
  if (current) yield current;
}
