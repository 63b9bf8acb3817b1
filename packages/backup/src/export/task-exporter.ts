import { Readable, type Writable } from 'node:stream';
import type { Catalog, DataRecord, GuideRecord, TaskBackupView } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import {
  type ArchiveWriteResult,
  type GuideInput,
  type MediaInput,
  type TaskArchiveInput,
  writeTaskArchive,
} from '@cvat-backup/format';
import type { StorageDriver } from '@cvat-backup/storage';
import { toArchiveJobAnnotations } from './archive-annotations.js';
import { LabelNames } from './archive-labels.js';
import { manifestEntry, mediaFiles, validationMedia } from './archive-media-files.js';
import {
  archiveJobs,
  archiveTaskData,
  archiveTaskFields,
  type MediaMode,
  mediaModeOf,
} from './archive-task-meta.js';
import { prefetchingMedia } from './prefetching-media.js';

export interface ExportDependencies {
  catalog: Catalog;
  /** Where the media of tasks with local data live. */
  localMedia: StorageDriver;
  /** A driver for an attached cloud storage (credentials decrypted by the caller's side). */
  cloudStorage(cloudStorageId: number): Promise<StorageDriver>;
  /** Objects requested ahead of the one being written (parallel GETs). */
  prefetch?: number;
}

export interface TaskExportOptions {
  lightweight: boolean;
  /** Add the SHA-256 checksum entry (CVAT ignores it; `verify` uses it). */
  integrity?: boolean;
  now?: Date;
  onProgress?: (progress: { entries: number; bytes: number; entry: string }) => void;
}

export interface TaskExportResult extends ArchiveWriteResult {
  mode: MediaMode;
  /** The task's `updated_date` when its backup view was read: a later change makes this archive stale. */
  resourceUpdatedDate: Date;
}

/** Loads what a task backup needs; a missing task or one without data is a coded, permanent error. */
export async function loadTaskView(
  catalog: Catalog,
  taskId: number,
): Promise<TaskBackupView & { data: DataRecord }> {
  const view = await catalog.backups.task(taskId);
  if (!view) throw new AppError('BACKUP_RESOURCE_NOT_FOUND', { target: 'task', id: taskId });
  if (!view.data) throw new AppError('BACKUP_TASK_WITHOUT_DATA', { taskId });
  return view as TaskBackupView & { data: DataRecord };
}

/**
 * Builds the archive input of one task: meta from the catalog snapshot, media streamed from the
 * task's storage (none but the manifest for a lightweight backup of cloud data), annotations
 * streamed job by job from database cursors.
 */
export async function taskArchiveInput(
  deps: ExportDependencies,
  view: TaskBackupView & { data: DataRecord },
  lightweight: boolean,
): Promise<{ input: TaskArchiveInput; mode: MediaMode }> {
  const { catalog } = deps;
  const { data } = view;
  const mode = mediaModeOf(data, lightweight);
  const validation = await validationMedia(catalog, data);
  const names = new LabelNames(view.labels);

  const input: TaskArchiveInput = {
    task: archiveTaskFields(view),
    data: archiveTaskData(data, view, mode, validation.framePaths),
    jobs: archiveJobs(view.jobs),
    media: await mediaEntries(deps, view, mode, validation.repeatable),
    annotations: view.jobs.map((job) => toArchiveJobAnnotations(catalog.annotations.read(job.id), names)),
  };
  const guide = view.guide && guideInput(catalog, view.guide);
  if (guide) input.guide = guide;
  return { input, mode };
}

/**
 * Writes the backup of a task (its view loaded by {@link loadTaskView}) to `output`, typically a
 * storage driver's atomic write.
 */
export async function exportTask(
  deps: ExportDependencies,
  view: TaskBackupView & { data: DataRecord },
  output: Writable,
  options: TaskExportOptions,
): Promise<TaskExportResult> {
  const { input, mode } = await taskArchiveInput(deps, view, options.lightweight);
  const result = await writeTaskArchive(output, input, archiveWriteOptions(options));
  return { ...result, mode, resourceUpdatedDate: view.task.updated_date };
}

export function archiveWriteOptions(options: TaskExportOptions) {
  return {
    integrity: options.integrity ?? true,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

async function mediaEntries(
  deps: ExportDependencies,
  view: TaskBackupView & { data: DataRecord },
  mode: MediaMode,
  repeatable: ReadonlySet<string>,
): Promise<AsyncIterable<MediaInput>> {
  const { catalog } = deps;
  const { data } = view;
  const manifest = manifestEntry(catalog, data, mode);
  if (mode === 'cloud-lightweight') return fromArray([manifest]);

  let driver: StorageDriver;
  if (mode === 'local') driver = deps.localMedia;
  else if (data.cloud_storage_id === null)
    throw new AppError('BACKUP_CLOUD_STORAGE_DETACHED', { taskId: view.task.id });
  else driver = await deps.cloudStorage(data.cloud_storage_id);

  const files = mediaFiles(catalog, data, mode, repeatable);
  return concat(fromArray([manifest]), prefetchingMedia(files, driver, deps.prefetch ?? 4));
}

export function guideInput(catalog: Catalog, guide: GuideRecord): GuideInput {
  return {
    markdown: guide.markdown,
    assets: guide.assets.map((asset) => ({
      id: asset.uuid,
      filename: asset.filename,
      size: asset.size,
      open: async () => {
        const found = await catalog.guides.readAsset(asset.uuid);
        if (!found)
          throw new AppError('BACKUP_RESOURCE_NOT_FOUND', { target: 'guide asset', id: asset.uuid });
        return Readable.from([found.content]);
      },
    })),
  };
}

async function* fromArray<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

async function* concat<T>(...sources: AsyncIterable<T>[]): AsyncIterable<T> {
  for (const source of sources) yield* source;
}
