/**
 * `@cvat-backup/backup`: the domain of backup and restore. Exporters turn catalog records and stored
 * media into CVAT archives; importers turn archives back into catalog records and stored media.
 * Side effects come in through the catalog and storage seams; no SDK, file system or queue here.
 */
export { LabelNames, svgWithLabelNames, toArchiveLabels } from './export/archive-labels.js';
export { type MediaMode, mediaModeOf } from './export/archive-task-meta.js';
export { joinKey, type MediaFile, prefetchingMedia } from './export/prefetching-media.js';
export { exportProject, loadProjectView, type ProjectExportResult } from './export/project-exporter.js';
export {
  type ExportDependencies,
  exportTask,
  loadTaskView,
  type TaskExportOptions,
  type TaskExportResult,
} from './export/task-exporter.js';
export { importMediaPrefix } from './import/archive-media.js';
export { importProject, type ProjectImportRequest } from './import/project-importer.js';
export {
  type ImportDependencies,
  type ImportResult,
  importTask,
  type TaskImportRequest,
} from './import/task-importer.js';
export {
  type ExportOutcome,
  type ExportProgress,
  type ExportRun,
  type ExportRunDependencies,
  localArchiveKey,
  runExport,
} from './jobs/run-export.js';
export { type ImportProgress, type ImportRun, runImport } from './jobs/run-import.js';
export { CloudDrivers } from './locations/cloud-drivers.js';
export { cloudStorageConfig } from './locations/cloud-storage-config.js';
export { sweepExpired } from './maintenance/sweep-expired.js';
export { type LiveImport, sweepOrphanMedia } from './maintenance/sweep-orphan-media.js';
export { sweepUnrecordedArchives } from './maintenance/sweep-unrecorded-archives.js';
export * from './schedules/index.js';
