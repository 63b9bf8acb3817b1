import type { ScheduleRunRecord } from '@cvat-backup/catalog';
import type { ScheduleRunDependencies } from './schedule-run-deps.js';
import { runView } from './schedule-views.js';

/**
 * Tells the webhook queue how an ended run went. The event id is the run's and its outcome's, so a
 * finish repeated after a crash publishes nothing new.
 */
export async function publishRunOutcome(
  deps: Pick<ScheduleRunDependencies, 'publish' | 'catalog'>,
  run: ScheduleRunRecord,
): Promise<void> {
  if (run.status === 'running') return;
  const schedule = await deps.catalog.schedules.find(run.schedule_id);
  if (!schedule) return;
  await deps.publish({
    version: 1,
    eventId: `schedule-${run.schedule_id}-run-${run.id}-${run.status}`,
    type: run.status === 'finished' ? 'schedule_run:finished' : 'schedule_run:failed',
    userId: schedule.owner.id,
    scheduleId: run.schedule_id,
    occurredAt: (run.finished_date ?? new Date()).toISOString(),
    payload: runView(run),
  });
}
