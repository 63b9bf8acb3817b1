import type { ScheduleArchiveRecord, ScheduleRunRecord } from '@cvat-backup/catalog';

/** A run as `/api/backup-schedules/{id}/runs` shows it, and as the `schedule_run:*` webhooks carry it. */
export function runView(run: ScheduleRunRecord) {
  return {
    id: run.id,
    schedule_id: run.schedule_id,
    trigger: run.trigger,
    status: run.status,
    fire_date: run.fire_date.toISOString(),
    started_date: run.started_date.toISOString(),
    finished_date: run.finished_date?.toISOString() ?? null,
    done: run.done,
    failed: run.failed,
    skipped: run.skipped,
    total: run.total,
    failures: run.failures,
  };
}

export type RunView = ReturnType<typeof runView>;

/** An archive a schedule made and keeps, as `/api/backup-schedules/{id}/archives` shows it. */
export function archiveView(archive: ScheduleArchiveRecord) {
  return {
    id: archive.id,
    run_id: archive.run_id,
    target: archive.target,
    target_id: archive.target_id,
    location: archive.location,
    cloud_storage_id: archive.cloud_storage_id,
    filename: archive.filename,
    size: archive.size,
    lightweight: archive.lightweight,
    created_date: archive.created_date.toISOString(),
    resource_updated_date: archive.resource_updated_date.toISOString(),
  };
}
