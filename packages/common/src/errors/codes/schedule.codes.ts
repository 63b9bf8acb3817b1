import { defineErrors } from '../error-spec.js';

/** Codes of scheduled bulk backups (`/api/backup-schedules`, the schedule worker and its runs). */
export const scheduleErrors = defineErrors({
  SCHEDULE_CADENCE_INVALID: {
    status: 400,
    retryable: false,
    message: 'The schedule cadence is invalid: {problem}. Give exactly one of "cron" or "every_seconds".',
  },
  SCHEDULE_CRON_INVALID: {
    status: 400,
    retryable: false,
    message:
      'The cron expression "{cron}" cannot be parsed ({reason}); use five fields (minute hour day month weekday), or six with seconds first.',
  },
  SCHEDULE_TIMEZONE_INVALID: {
    status: 400,
    retryable: false,
    message: 'The time zone "{timezone}" is unknown; use an IANA name such as "UTC" or "Europe/Paris".',
  },
  SCHEDULE_NAME_TEMPLATE_INVALID: {
    status: 400,
    retryable: false,
    message: 'The name template is invalid: {problem}.',
  },
  SCHEDULE_PROJECT_NOT_FOUND: {
    status: 400,
    retryable: false,
    message: 'Project {id} in the scope does not exist or is not available to the schedule owner.',
  },
  SCHEDULE_CLOUD_STORAGE_NOT_FOUND: {
    status: 400,
    retryable: false,
    message: 'Cloud storage {id} does not exist or does not belong to the schedule owner.',
  },
  SCHEDULE_RUN_IN_PROGRESS: {
    status: 409,
    retryable: false,
    message: 'Run {runId} of this schedule is still running; wait for it to finish and try again.',
  },
  SCHEDULE_ARCHIVE_NOT_LOCAL: {
    status: 400,
    retryable: false,
    message:
      'Archive {id} was written to cloud storage {cloudStorageId} as "{filename}"; only local archives are downloaded here.',
  },
  SCHEDULE_ARCHIVE_MISSING: {
    status: 404,
    retryable: false,
    message: 'Archive {id} is recorded but its file is gone from the archive store.',
  },
  SCHEDULE_RESOURCE_MISSING: {
    status: 404,
    retryable: false,
    message:
      'The {target} {id} in the schedule scope no longer exists or is no longer available to its owner.',
  },
  SCHEDULE_RUN_LOST: {
    status: 500,
    retryable: false,
    message:
      'The run lost its queue state (Redis data gone, or the run was never fanned out); the next run starts afresh.',
  },
  SCHEDULE_EXPORT_GONE: {
    status: 500,
    retryable: false,
    message:
      'The export job {jobId} disappeared from the queue before it recorded an archive (removed by hand, or Redis lost it); the {target} is backed up again at the next run.',
  },
  SCHEDULE_RETIRED: {
    status: 409,
    retryable: false,
    message:
      'Schedule {id} was deleted ({state}): it no longer runs or changes, it only keeps its archives. Create a new schedule, or delete this one with ?delete_archives=true to remove its archives.',
  },
  SCHEDULE_RETENTION_FAILED: {
    status: 500,
    retryable: true,
    message: 'Retention could not delete archive {key}: {reason}. It is kept and retried after the next run.',
  },
});
