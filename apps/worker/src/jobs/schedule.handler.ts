import {
  finishScheduleRun,
  fireScheduleRun,
  purgeSchedule,
  type ScheduleRunDependencies,
} from '@cvat-backup/backup';
import {
  parsePayload,
  removeScheduler,
  runChildFailures,
  SCHEDULE_JOB_NAMES,
  scheduleFinishSchema,
  scheduleFireSchema,
  schedulePurgeSchema,
} from '@cvat-backup/queue';
import type { Job, Queue } from 'bullmq';

/** The fire time a job scheduler put in the id of the job it made (`repeat:<scheduler>:<ms>`). */
function fireTime(job: Job): Date {
  const ms = Number(/:(\d+)$/.exec(job.id ?? '')?.[1]);
  return new Date(Number.isFinite(ms) && ms > 0 ? ms : job.timestamp);
}

/**
 * The schedule queue's handler. `fire` starts a run (a scheduler's fire, or a run-now) and fans out
 * its exports; `finish` runs once every export of the run ended (it is their flow parent); `purge`
 * deletes the archives of a schedule deleted with them.
 */
export function scheduleHandler(deps: ScheduleRunDependencies & { schedules: Queue }) {
  return async (job: Job): Promise<unknown> => {
    if (job.name === SCHEDULE_JOB_NAMES.fire) {
      const payload = parsePayload(scheduleFireSchema, job.data);
      const outcome = await fireScheduleRun(deps, {
        scheduleId: payload.scheduleId,
        trigger: payload.runId === undefined ? 'schedule' : 'manual',
        fireKey: job.id ?? `fire-${job.timestamp}`,
        fireDate: payload.runId === undefined ? fireTime(job) : new Date(job.timestamp),
        ...(payload.runId === undefined ? {} : { runId: payload.runId }),
      });
      // A scheduler whose schedule is gone or disabled (a commit that failed after the upsert, a
      // deleted owner): it goes now instead of firing forever.
      if (outcome === 'orphan' && payload.runId === undefined)
        await removeScheduler(deps.schedules, payload.scheduleId);
      return { outcome };
    }
    if (job.name === SCHEDULE_JOB_NAMES.purge) {
      const payload = parsePayload(schedulePurgeSchema, job.data);
      return purgeSchedule(deps, payload.scheduleId);
    }
    const payload = parsePayload(scheduleFinishSchema, job.data);
    const childFailures = await runChildFailures(job);
    await finishScheduleRun(deps, { scheduleId: payload.scheduleId, runId: payload.runId, childFailures });
    return { finished: payload.runId };
  };
}
