import type { Writable } from 'node:stream';
import type { Catalog, ProjectBackupView } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { type ProjectTaskInput, writeProjectArchive } from '@cvat-backup/format';
import { toArchiveLabels } from './archive-labels.js';
import type { MediaMode } from './archive-task-meta.js';
import {
  archiveWriteOptions,
  type ExportDependencies,
  guideInput,
  loadTaskView,
  type TaskExportOptions,
  taskArchiveInput,
} from './task-exporter.js';

export interface ProjectExportResult {
  bytes: number;
  entries: number;
  /** How each task's media went in, by task id (lightweight applies per task). */
  modes: Map<number, MediaMode>;
  resourceUpdatedDate: Date;
}

export async function loadProjectView(catalog: Catalog, projectId: number): Promise<ProjectBackupView> {
  const view = await catalog.backups.project(projectId);
  if (!view) throw new AppError('BACKUP_RESOURCE_NOT_FOUND', { target: 'project', id: projectId });
  return view;
}

/**
 * Writes a project backup: project.json and its guide, then each task with data under `task_<n>/`,
 * n being the task's position among all the project's tasks by id (tasks without data keep their
 * number, as CVAT does). Tasks are loaded one at a time, so memory does not grow with the project.
 */
export async function exportProject(
  deps: ExportDependencies,
  view: ProjectBackupView,
  output: Writable,
  options: TaskExportOptions,
): Promise<ProjectExportResult> {
  const modes = new Map<number, MediaMode>();

  async function* tasks(): AsyncIterable<ProjectTaskInput> {
    for (const [index, task] of view.tasks.entries()) {
      if (!task.has_data) continue;
      const taskView = await loadTaskView(deps.catalog, task.id).catch((err: unknown) => {
        // Deleted or emptied since the project was read: skip it like CVAT skips tasks without data.
        if (
          err instanceof AppError &&
          (err.code === 'BACKUP_RESOURCE_NOT_FOUND' || err.code === 'BACKUP_TASK_WITHOUT_DATA')
        )
          return undefined;
        throw err;
      });
      if (!taskView) continue;
      const { input, mode } = await taskArchiveInput(deps, taskView, options.lightweight);
      modes.set(task.id, mode);
      yield { index, task: input };
    }
  }

  const result = await writeProjectArchive(
    output,
    {
      project: {
        name: view.project.name,
        bug_tracker: view.project.bug_tracker,
        status: view.project.status,
        labels: toArchiveLabels(view.labels),
      },
      ...(view.guide ? { guide: guideInput(deps.catalog, view.guide) } : {}),
      tasks: tasks(),
    },
    archiveWriteOptions(options),
  );
  return { ...result, modes, resourceUpdatedDate: view.project.updated_date };
}
