import { AppError } from '@cvat-backup/common';
import { openBackup } from '@cvat-backup/format';
import { openRandomAccess, type StorageDriver } from '@cvat-backup/storage';
import { importProject } from '../import/project-importer.js';
import { type ImportDependencies, type ImportResult, importTask } from '../import/task-importer.js';

export interface ImportRun {
  target: 'task' | 'project';
  /** The staged upload or the cloud object to restore from. */
  source: { driver: StorageDriver; key: string };
  userId: number;
  importRequestId: string;
  projectId?: number;
}

export interface ImportProgress {
  phase: 'validating' | 'restoring-media' | 'restoring-records' | 'done';
  bytes: number;
}

/**
 * One restore: the archive is read with ranged reads where it lies (no copy to a temp file), checked
 * in full, then restored; see importTask/importProject for the crash-safety story.
 */
export async function runImport(
  deps: ImportDependencies,
  run: ImportRun,
  onProgress: (p: ImportProgress) => void = () => {},
): Promise<ImportResult> {
  // A retried attempt whose first try committed needs no archive at all (it may be gone already).
  const done =
    run.target === 'task'
      ? await deps.catalog.tasks.findByImportRequestId(run.importRequestId)
      : await deps.catalog.projects.findByImportRequestId(run.importRequestId);
  if (done) return { id: done.id, created: false };

  const source = await openRandomAccess(run.source.driver, run.source.key);
  const backup = await openBackup(source, { expect: run.target });
  try {
    const common = { userId: run.userId, importRequestId: run.importRequestId, onProgress };
    const result =
      backup.kind === 'task'
        ? await importTask(deps, backup.task, {
            ...common,
            ...(run.projectId !== undefined ? { projectId: run.projectId } : {}),
          })
        : await importProject(deps, backup, common);
    onProgress({ phase: 'done', bytes: source.size });
    return result;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(
      'INTERNAL',
      { reason: err instanceof Error ? err.message : String(err) },
      { cause: err },
    );
  } finally {
    await backup.close();
  }
}
