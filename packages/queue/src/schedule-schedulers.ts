import type { Queue } from 'bullmq';
import { type Cadence, repeatOptions } from './schedule-cadence.js';
import {
  SCHEDULE_JOB_NAMES,
  type ScheduleFirePayload,
  scheduleIdOfScheduler,
  schedulerId,
} from './schedule-jobs.js';

export interface SchedulerSource extends Cadence {
  id: number;
  enabled: boolean;
}

/** Options of every fired job: a few retries, and a bounded trail of finished fires in Redis. */
const FIRE_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { count: 50 },
  removeOnFail: { count: 50 },
};

/**
 * Makes Redis hold the job scheduler a schedule implies: upserted when enabled (the same call from the
 * API, every worker and every restart leaves one scheduler), removed when disabled. Idempotent.
 */
export async function applyScheduler(queue: Queue, schedule: SchedulerSource): Promise<void> {
  if (!schedule.enabled) {
    await queue.removeJobScheduler(schedulerId(schedule.id));
    return;
  }
  const data: ScheduleFirePayload = { version: 1, scheduleId: schedule.id };
  await queue.upsertJobScheduler(schedulerId(schedule.id), repeatOptions(schedule), {
    name: SCHEDULE_JOB_NAMES.fire,
    data,
    opts: FIRE_OPTIONS,
  });
}

export async function removeScheduler(queue: Queue, scheduleId: number): Promise<void> {
  await queue.removeJobScheduler(schedulerId(scheduleId));
}

/** When the scheduler fires next (null when there is none, e.g. a disabled schedule). */
export async function nextFireDate(queue: Queue, scheduleId: number): Promise<Date | null> {
  const scheduler = await queue.getJobScheduler(schedulerId(scheduleId));
  return typeof scheduler?.next === 'number' ? new Date(scheduler.next) : null;
}

/**
 * Brings Redis in line with the catalog: every scheduler of a schedule that is gone or disabled removed,
 * and every enabled schedule upserted (`onlyMissing`: only those without a scheduler, for the periodic
 * pass that repairs a lost Redis without touching healthy schedulers). Returns what changed.
 */
export async function reconcileSchedulers(
  queue: Queue,
  enabled: readonly SchedulerSource[],
  options: { onlyMissing?: boolean } = {},
): Promise<{ upserted: number; removed: number }> {
  const wanted = new Set(enabled.map((s) => s.id));
  const present = new Set<number>();
  let removed = 0;
  for (const scheduler of await queue.getJobSchedulers()) {
    const id = scheduleIdOfScheduler(scheduler.key);
    if (id === undefined) continue;
    if (wanted.has(id)) present.add(id);
    else {
      await queue.removeJobScheduler(scheduler.key);
      removed++;
    }
  }
  let upserted = 0;
  for (const schedule of enabled) {
    if (options.onlyMissing && present.has(schedule.id)) continue;
    await applyScheduler(queue, schedule);
    upserted++;
  }
  return { upserted, removed };
}
