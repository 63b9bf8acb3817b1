export { finishScheduleRun, type RunEnd } from './finish-run.js';
export { type Fire, type FireOutcome, fireScheduleRun } from './fire-run.js';
export {
  checkNameTemplate,
  DEFAULT_NAME_TEMPLATE,
  renderArchiveName,
  runArchiveNames,
} from './name-template.js';
export { type PurgeOutcome, purgeDeletingSchedules, purgeSchedule } from './purge-schedule.js';
export { FAN_OUT_GRACE_MS, repairLostRuns, runIsLost, settleLostRun } from './repair-runs.js';
export { expiredArchives } from './retention.js';
export { publishRunOutcome } from './run-outcome.js';
export {
  RUN_HISTORY,
  SCHEDULE_ARCHIVE_PREFIX,
  type ScheduleRunDependencies,
  scheduledLocalKey,
} from './schedule-run-deps.js';
export { archiveView, type RunView, runView } from './schedule-views.js';
export { recordScheduledArchive, scheduledExportKey } from './scheduled-export.js';
