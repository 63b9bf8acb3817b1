import type { ScheduleRunRecord } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { RunChildFailure } from '@cvat-backup/queue';
import { finishScheduleRun } from './finish-run.js';
import { publishRunOutcome } from './run-outcome.js';
import type { ScheduleRunDependencies } from './schedule-run-deps.js';

/** A running run not yet fanned out is given this long before its missing parent job counts as lost. */
export const FAN_OUT_GRACE_MS = 10 * 60_000;

/**
 * True when a running run will never be ended by its parent job: the parent is gone, or waits only for
 * exports that no longer exist. A run still fanning out is left alone for a grace period.
 */
export async function runIsLost(
  deps: ScheduleRunDependencies,
  run: ScheduleRunRecord,
): Promise<{ lost: false } | { lost: true; childFailures: RunChildFailure[] }> {
  const now = deps.now?.() ?? new Date();
  if (!run.fanned_out && now.getTime() - run.started_date.getTime() < FAN_OUT_GRACE_MS)
    return { lost: false };
  const jobs = await deps.inspectRun(run);
  if (jobs.state === 'pending') return { lost: false };
  return { lost: true, childFailures: jobs.state === 'stuck' ? jobs.childFailures : [] };
}

/**
 * Ends a run its parent job will never end. A fanned-out run is finished like any other: what its
 * exports recorded is counted, and every queued export without an archive or a known failure is
 * reported as SCHEDULE_EXPORT_GONE. A run lost before its fan-out just fails. Then the stale parent
 * job, if any, is removed. Safe to repeat, and safe next to a parent that finishes after all.
 */
export async function settleLostRun(
  deps: ScheduleRunDependencies,
  run: ScheduleRunRecord,
  childFailures: RunChildFailure[],
): Promise<ScheduleRunRecord> {
  const schedules = deps.catalog.schedules;
  if (run.fanned_out) {
    await finishScheduleRun(deps, { scheduleId: run.schedule_id, runId: run.id, childFailures });
  } else {
    const ended = await schedules.endRun(run.id, { status: 'failed', done: 0, failures: [] });
    await publishRunOutcome(deps, ended);
  }
  deps.logger.warn(
    { scheduleId: run.schedule_id, runId: run.id, fannedOut: run.fanned_out },
    new AppError('SCHEDULE_RUN_LOST').message,
  );
  await deps.dropRun(run);
  return (await schedules.getRun(run.schedule_id, run.id)) ?? run;
}

/**
 * The periodic repair: every running run whose parent job is gone or stuck is settled, so its schedule
 * is not blocked (one running run per schedule) until a fire happens to notice. Returns how many.
 */
export async function repairLostRuns(deps: ScheduleRunDependencies): Promise<number> {
  let settled = 0;
  for (const run of await deps.catalog.schedules.runningRuns()) {
    try {
      const check = await runIsLost(deps, run);
      if (!check.lost) continue;
      await settleLostRun(deps, run, check.childFailures);
      settled++;
    } catch (err) {
      // One run that cannot be settled now must not keep the others waiting; the next pass retries it.
      deps.logger.warn({ scheduleId: run.schedule_id, runId: run.id, err }, 'lost schedule run not settled');
    }
  }
  return settled;
}
