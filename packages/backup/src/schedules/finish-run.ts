import type {
  RunFailure,
  ScheduleArchiveRecord,
  ScheduleRecord,
  ScheduleRunRecord,
} from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { failureCode, runExportJobId } from '@cvat-backup/queue';
import { expiredArchives, resourceKey } from './retention.js';
import { publishRunOutcome } from './run-outcome.js';
import { RUN_HISTORY, type ScheduleRunDependencies } from './schedule-run-deps.js';

export interface RunEnd {
  scheduleId: number;
  runId: number;
  /** Exports that failed for good: the resource and the job's `CODE: message` reason. */
  childFailures: Array<{ target: 'task' | 'project'; id: number; reason: string }>;
}

/**
 * Ends a run whose exports all ended: counts what was written (the archive rows the exports
 * recorded), reports every queued export that left neither an archive nor a failure (its job was
 * removed: BullMQ then just drops it from the run's parent), applies retention (active schedules only),
 * records the summary and publishes the outcome. Safe to repeat.
 */
export async function finishScheduleRun(deps: ScheduleRunDependencies, end: RunEnd): Promise<void> {
  const schedules = deps.catalog.schedules;
  const run = await schedules.getRun(end.scheduleId, end.runId);
  if (!run) return;
  if (run.status !== 'running') {
    await publishRunOutcome(deps, run);
    return;
  }
  // The exports may end before the fire marked the fan-out (a fast run): try again shortly.
  if (!run.fanned_out)
    throw new AppError('SCHEDULE_RUN_LOST', {}, { message: 'the run is not fanned out yet' });
  const schedule = await schedules.find(end.scheduleId);
  const failures: RunFailure[] = end.childFailures.map((f) => {
    const [code, message] = splitReason(f.reason);
    return { target: f.target, id: f.id, code, message };
  });
  const archives = await schedules.runArchives(run.id);
  failures.push(...vanishedExports(run, archives, failures));
  const done = archives.length;
  if (schedule?.state === 'active')
    failures.push(...(await applyRetention(deps, schedule, [...run.failures, ...failures])));
  const failed = run.failures.length + failures.filter((f) => f.code !== 'SCHEDULE_RETENTION_FAILED').length;
  const ended = await schedules.endRun(run.id, {
    status: failed > 0 ? 'failed' : 'finished',
    done,
    failures,
  });
  await schedules.pruneRuns(end.scheduleId, RUN_HISTORY);
  deps.logger.info(
    {
      scheduleId: ended.schedule_id,
      runId: ended.id,
      status: ended.status,
      done,
      failed: ended.failed,
      skipped: ended.skipped,
    },
    'schedule run ended',
  );
  await publishRunOutcome(deps, ended);
}

/** Exports the run queued that recorded no archive and failed with no reason the parent holds. */
function vanishedExports(
  run: ScheduleRunRecord,
  archives: readonly ScheduleArchiveRecord[],
  failures: readonly RunFailure[],
): RunFailure[] {
  const accounted = new Set([
    ...archives.map((a) => resourceKey(a)),
    ...failures.map((f) => resourceKey({ target: f.target, target_id: f.id })),
  ]);
  return run.planned
    .filter((p) => !accounted.has(resourceKey({ target: p.target, target_id: p.id })))
    .map((p) => {
      const jobId = runExportJobId(run.schedule_id, run.id, p.target, p.id);
      const err = new AppError('SCHEDULE_EXPORT_GONE', { jobId, target: p.target });
      return { target: p.target, id: p.id, code: err.code, message: err.message };
    });
}

function splitReason(reason: string): [string, string] {
  const code = failureCode(reason);
  return code ? [code, reason.slice(code.length + 2)] : ['INTERNAL', reason];
}

/**
 * Deletes what the policy lets go among this schedule's archives (object first, then its row), never
 * touching resources that failed in this run. A deletion that fails is reported and retried next run.
 */
async function applyRetention(
  deps: ScheduleRunDependencies,
  schedule: ScheduleRecord,
  runFailures: readonly RunFailure[],
): Promise<RunFailure[]> {
  const schedules = deps.catalog.schedules;
  const spare = new Set(runFailures.map((f) => resourceKey({ target: f.target, target_id: f.id })));
  const archives = (await schedules.listArchives(schedule.id, { pageSize: 'all' })).results;
  const expired = expiredArchives(archives, schedule.retention, deps.now?.() ?? new Date(), spare);
  const problems: RunFailure[] = [];
  for (const archive of expired) {
    try {
      // Two rows naming one object (a name reused across runs): the object stays while one is kept.
      if (!(await schedules.objectShared(archive))) await (await deps.driverFor(archive)).delete(archive.key);
      await schedules.deleteArchive(schedule.id, archive.id);
    } catch (err) {
      const error = new AppError('SCHEDULE_RETENTION_FAILED', {
        key: archive.key,
        reason: err instanceof Error ? err.message : String(err),
      });
      deps.logger.warn({ scheduleId: schedule.id, archiveId: archive.id, err }, error.message);
      problems.push({
        target: archive.target,
        id: archive.target_id,
        code: error.code,
        message: error.message,
      });
    }
  }
  return problems;
}
