import type { Actor, Catalog, ProjectRecord, TaskRecord } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { sanitizeBackupFileName } from '@cvat-backup/format';
import { type ExportJobPayload, exportRequestId } from '@cvat-backup/queue';
import { type ExportQuery, queryBool } from './backup.schemas.js';
import { resolveLocation } from './location.js';

export type BackupTarget = 'task' | 'project';

/** An export request resolved at the API: the payload to enqueue and the state it must reflect. */
export interface ResolvedExport {
  payload: ExportJobPayload;
  rqId: string;
  /** The resource's `updated_date`: a finished archive of an older state is stale. */
  resourceUpdatedDate: Date;
}

/** The task or project behind `/{tasks|projects}/{id}/…`; 404 when missing or not visible. */
export async function visibleResource(
  catalog: Catalog,
  actor: Actor,
  target: BackupTarget,
  id: number,
): Promise<TaskRecord | ProjectRecord> {
  const record =
    target === 'task' ? await catalog.tasks.get(actor, id) : await catalog.projects.get(actor, id);
  if (!record) throw new AppError('NOT_FOUND');
  return record;
}

/**
 * Lightweight only means something for cloud-backed data (CVAT's `is_lightweight_possible`): a task
 * whose data is in a cloud storage, or a project with at least one such task.
 */
async function lightweightPossible(
  catalog: Catalog,
  actor: Actor,
  target: BackupTarget,
  record: TaskRecord | ProjectRecord,
): Promise<boolean> {
  if (target === 'task') return (record as TaskRecord).data_storage === 'cloud_storage';
  for (let page = 1; ; page++) {
    const tasks = await catalog.tasks.list(actor, {
      filters: { project_id: record.id },
      page,
      pageSize: 100,
    });
    if (tasks.results.some((t) => t.data_storage === 'cloud_storage')) return true;
    if (page * 100 >= tasks.count || tasks.results.length === 0) return false;
  }
}

/**
 * Checks access and input and builds the export job (format doc §10.2, §10.4): a task without data
 * is refused, the location is resolved (§10.1), `lightweight` (default false, as CVAT's server) is
 * kept only where it can apply, and a custom file name is sanitised now so a bad one is a 400.
 */
export async function resolveExport(
  catalog: Catalog,
  actor: Actor,
  target: BackupTarget,
  id: number,
  query: ExportQuery,
  now: Date = new Date(),
): Promise<ResolvedExport> {
  const record = await visibleResource(catalog, actor, target, id);
  if (target === 'task' && (record as TaskRecord).data === null)
    throw new AppError('BACKUP_TASK_WITHOUT_DATA', { taskId: id });
  const destination = await resolveLocation(
    catalog.cloudStorages,
    actor,
    query,
    record.target_storage,
    'destination',
  );
  const wanted = queryBool(query.lightweight, 'lightweight', false);
  const lightweight = wanted && (await lightweightPossible(catalog, actor, target, record));
  const payload: ExportJobPayload = {
    version: 1,
    target,
    targetId: id,
    userId: actor.id,
    // CVAT's operation.project_id of a task export: `/api/requests?project_id=` lists it too.
    ...(target === 'task' && (record as TaskRecord).project_id !== null
      ? { projectId: (record as TaskRecord).project_id as number }
      : {}),
    lightweight,
    destination,
    ...(query.filename ? { filename: sanitizeBackupFileName(query.filename) } : {}),
    requestedAt: now.toISOString(),
  };
  return {
    payload,
    rqId: exportRequestId(payload),
    resourceUpdatedDate: record.updated_date,
  };
}
