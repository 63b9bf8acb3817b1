import { runView } from '@cvat-backup/backup';
import type { Catalog, ScheduleRecord } from '@cvat-backup/catalog';
import { nextFireDate } from '@cvat-backup/queue';
import type { Queue } from 'bullmq';

/** A schedule as the API shows it: its settings, owner, next fire time (from Redis) and last run. */
export async function scheduleView(catalog: Catalog, queue: Queue, schedule: ScheduleRecord) {
  const [next, runs] = await Promise.all([
    schedule.enabled ? nextFireDate(queue, schedule.id).catch(() => null) : null,
    catalog.schedules.listRuns(schedule.id, { pageSize: 1 }),
  ]);
  const last = runs.results[0];
  return {
    id: schedule.id,
    name: schedule.name,
    owner: { id: schedule.owner.id, username: schedule.owner.username },
    cron: schedule.cron,
    timezone: schedule.timezone,
    every_seconds: schedule.every_seconds,
    scope: schedule.scope,
    target_storage: schedule.target_storage,
    lightweight: schedule.lightweight,
    name_template: schedule.name_template,
    retention: schedule.retention,
    skip_unchanged: schedule.skip_unchanged,
    enabled: schedule.enabled,
    state: schedule.state,
    retired_date: schedule.retired_date?.toISOString() ?? null,
    created_date: schedule.created_date.toISOString(),
    updated_date: schedule.updated_date.toISOString(),
    next_run_date: next?.toISOString() ?? null,
    last_run: last ? runView(last) : null,
  };
}
