import type { Actor, Catalog } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import {
  type BackupProducer,
  type ImportJobPayload,
  type ImportSource,
  QUEUE_NAMES,
  requestLogFields,
} from '@cvat-backup/queue';
import type { FastifyReply } from 'fastify';
import { queryId } from './backup.schemas.js';
import type { BackupTarget } from './export-request.js';
import { failedJobError } from './export-result.js';
import { findRequest, mayAccess } from './request-lookup.js';

/**
 * `project_id` on `POST /api/tasks/backup` restores the task into that project (our CLI uses it;
 * CVAT's SDK has no such parameter). The project must be visible to the user; projects ignore it.
 */
export async function targetProject(
  catalog: Catalog,
  actor: Actor,
  target: BackupTarget,
  raw: string | undefined,
): Promise<number | undefined> {
  const projectId = target === 'task' ? queryId(raw, 'project_id') : undefined;
  if (projectId === undefined) return undefined;
  if (!(await catalog.projects.get(actor, projectId)))
    throw new AppError('BACKUP_PROJECT_NOT_FOUND', { projectId });
  return projectId;
}

export interface ImportStart {
  target: BackupTarget;
  userId: number;
  source: ImportSource;
  projectId: number | undefined;
  originalFilename?: string | undefined;
  /** A request id derived from the upload (TUS), so a repeated finish cannot start two restores. */
  rqId?: string | undefined;
}

/** Enqueues the restore and answers CVAT's 202 `{"rq_id"}`. */
export async function startImport(
  producer: BackupProducer,
  reply: FastifyReply,
  start: ImportStart,
): Promise<FastifyReply> {
  const payload: ImportJobPayload = {
    version: 1,
    target: start.target,
    userId: start.userId,
    source: start.source,
    ...(start.projectId !== undefined ? { projectId: start.projectId } : {}),
    ...(start.originalFilename ? { originalFilename: start.originalFilename.slice(0, 1024) } : {}),
    requestedAt: new Date().toISOString(),
  };
  const { rqId, created } = start.rqId
    ? await producer.enqueueImport(payload, start.rqId)
    : await producer.enqueueImport(payload);
  reply.log.info({ ...requestLogFields(QUEUE_NAMES.import, rqId, payload), created }, 'import queued');
  return reply.code(202).send({ rq_id: rqId });
}

/**
 * CVAT's legacy import polling (`POST …/backup` with `rq_id`, format doc §10.3): 202 `{rq_id}`
 * while it runs, 201 `{id}` when restored, the coded failure otherwise; another user's request is
 * 403, an unknown one 404.
 */
export async function pollImport(
  producer: BackupProducer,
  reply: FastifyReply,
  actor: Actor,
  target: BackupTarget,
  rqId: string,
): Promise<FastifyReply> {
  const found = await findRequest(producer, rqId);
  if (found?.kind !== 'import' || found.job.data.target !== target)
    throw new AppError('BACKUP_API_REQUEST_NOT_FOUND');
  if (!mayAccess(actor, found.job)) throw new AppError('FORBIDDEN');
  if (found.state === 'completed') {
    const result = found.job.returnvalue as unknown as { id: number };
    return reply.code(201).send({ id: result.id });
  }
  if (found.state === 'failed') throw failedJobError(found.job);
  return reply.code(202).send({ rq_id: rqId });
}
