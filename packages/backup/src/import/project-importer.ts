import { AppError } from '@cvat-backup/common';
import type { ProjectBackup } from '@cvat-backup/format';
import { toLabelInputs } from './catalog-labels.js';
import { checkGuide, checkProjectRows } from './catalog-preflight.js';
import { removeUncommittedMedia } from './import-media-cleanup.js';
import { ProjectDimension } from './task-dimension.js';
import {
  checkTask,
  checkTaskMedia,
  copyTaskMedia,
  createTask,
  type ImportDependencies,
  type ImportResult,
  restoreGuide,
  type TaskImportRequest,
  taskMediaPrefix,
} from './task-importer.js';

export type ProjectImportRequest = Omit<TaskImportRequest, 'projectId'>;

/**
 * Restores a project backup: the project and every task are checked first (the catalog's rules
 * included, and that they share one dimension, as CVAT requires), then media are copied, then one transaction creates the project, its labels and guide,
 * and every task with its data, jobs and annotations. A retry with the same request id finds the
 * committed project. As for importTask, a committed project has every media file of every task:
 * under the request's lock, before any row, each task's copied files are checked to be still there
 * with the archive's sizes, or nothing is written and the attempt fails, retryably, with
 * BACKUP_RESTORE_MEDIA_INCOMPLETE. A failure once the copy began removes every task's copied media
 * unless an attempt committed the project.
 */
export async function importProject(
  deps: ImportDependencies,
  backup: ProjectBackup,
  request: ProjectImportRequest,
): Promise<ImportResult> {
  const { catalog } = deps;
  const existing = await catalog.projects.findByImportRequestId(request.importRequestId);
  if (existing) return { id: existing.id, created: false };

  request.onProgress?.({ phase: 'validating', bytes: 0 });
  checkProjectRows(backup.project);
  checkGuide(catalog.guides, backup.guide);
  const dimensions = new ProjectDimension();
  for (const task of backup.tasks) {
    dimensions.add(task, await checkTask(task, { createsLabels: false }));
    checkGuide(catalog.guides, task.guide);
  }
  const actor = { id: request.userId, isAdmin: false };
  try {
    const prepared: Array<{ prefix: string; lightweight: boolean }> = [];
    for (const task of backup.tasks) prepared.push(await copyTaskMedia(deps, task, request));
    const preparedFor = (i: number) => {
      const where = prepared[i];
      if (!where) throw new AppError('INTERNAL', { reason: `task ${i} of the archive was not prepared` });
      return where;
    };
    request.onProgress?.({ phase: 'restoring-records', bytes: 0 });
    return await catalog.transaction(async (tx) => {
      await tx.lockImportRequest(request.importRequestId);
      const again = await tx.projects.findByImportRequestId(request.importRequestId);
      if (again) return { id: again.id, created: false };
      for (const [i, task] of backup.tasks.entries()) await checkTaskMedia(deps, task, preparedFor(i));
      const project = await tx.projects.create(actor, {
        name: backup.project.name,
        bug_tracker: backup.project.bug_tracker,
        status: backup.project.status,
        labels: toLabelInputs(backup.project.labels),
        owner_id: request.userId,
        import_request_id: request.importRequestId,
      });
      if (backup.guide) await restoreGuide(tx, { projectId: project.id }, backup.guide);
      for (const [i, task] of backup.tasks.entries())
        await createTask(tx, task, { ...request, ...preparedFor(i), projectId: project.id, actor });
      return { id: project.id, created: true };
    });
  } catch (err) {
    const prefixes = backup.tasks.map((task) => taskMediaPrefix(request, task));
    await removeUncommittedMedia(deps, request.importRequestId, prefixes, (tx) =>
      tx.projects.findByImportRequestId(request.importRequestId),
    );
    throw err;
  }
}
