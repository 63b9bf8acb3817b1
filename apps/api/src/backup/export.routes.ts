import type { Catalog } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import {
  type ExportJobPayload,
  parseRequestId,
  QUEUE_NAMES,
  readJobSnapshot,
  requestLogFields,
} from '@cvat-backup/queue';
import type { Job } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actor } from '../auth/auth.hook.js';
import { idParams } from '../http/params.js';
import { downloadQuery, exportQuery } from './backup.schemas.js';
import type { BackupServices } from './backup-services.js';
import { type BackupTarget, type ResolvedExport, resolveExport, visibleResource } from './export-request.js';
import { exportOutcome, failedJobError, liveArchive, sendArchive } from './export-result.js';
import { findRequest, mayAccess, NOT_STARTED } from './request-lookup.js';

/**
 * Whether a finished job answers this request: the id already holds destination and file name, so
 * only the resource's state can differ (an archive of an older state is stale).
 */
function fresh(job: Job, resolved: ResolvedExport): boolean {
  return exportOutcome(job).resourceUpdatedDate === resolved.resourceUpdatedDate.toISOString();
}

/**
 * Export endpoints of one target (format doc §10.2, §10.4): CVAT's legacy polling GET
 * (`/backup`, served although the newest CVAT answers 410), the requests-API start
 * (`/backup/export`) and the result download (`/backup/download?rq_id=`).
 */
export function exportRoutes(catalog: Catalog, services: BackupServices, target: BackupTarget) {
  const { producer } = services;
  const base = `/api/${target}s/:id/backup`;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      base,
      { config: { resource: target }, schema: { params: idParams, querystring: exportQuery } },
      async (request, reply) => {
        const { action } = request.query;
        if (action !== undefined && action !== 'download') throw new AppError('BACKUP_API_ACTION_INVALID');
        const resolved = await resolveExport(
          catalog,
          actor(request),
          target,
          request.params.id,
          request.query,
        );
        const snapshot = await readJobSnapshot<ExportJobPayload>(producer.exports, resolved.rqId);
        const job = snapshot?.job;
        const state = snapshot?.state;
        if (job && state && (NOT_STARTED.has(state) || state === 'active')) {
          if (action === 'download') throw new AppError('BACKUP_API_NOT_FINISHED');
          return reply.code(202).send({ rq_id: resolved.rqId });
        }
        if (job && state === 'completed' && fresh(job, resolved)) {
          const outcome = exportOutcome(job);
          if (outcome.location === 'cloud_storage') {
            if (action === 'download')
              throw new AppError('BACKUP_API_DOWNLOAD_NOT_LOCAL', {
                cloudStorageId: outcome.cloudStorageId,
                filename: outcome.filename,
              });
            return reply.code(200).send();
          }
          if (action === 'download') return sendArchive(reply, services, job);
          if (await liveArchive(services, job)) return reply.code(201).send();
          // The archive expired or was swept: CVAT has forgotten such a job, so the GET starts over.
        }
        if (job && state === 'failed') {
          // CVAT forgets a failed request once it reported it, so the next GET starts over.
          const error = failedJobError(job);
          await job.remove().catch(() => undefined);
          throw error;
        }
        if (action === 'download') throw new AppError('BACKUP_API_NOT_FINISHED');
        const { rqId, created } = await producer.enqueueExport(resolved.payload);
        request.log.info(
          { ...requestLogFields(QUEUE_NAMES.export, rqId, resolved.payload), created },
          'export queued',
        );
        return reply.code(202).send({ rq_id: rqId });
      },
    );

    app.post(
      `${base}/export`,
      { config: { resource: target }, schema: { params: idParams, querystring: exportQuery } },
      async (request, reply) => {
        const resolved = await resolveExport(
          catalog,
          actor(request),
          target,
          request.params.id,
          request.query,
        );
        const { rqId, created } = await producer.enqueueExport(resolved.payload);
        request.log.info(
          { ...requestLogFields(QUEUE_NAMES.export, rqId, resolved.payload), created },
          'export queued',
        );
        return reply.code(created ? 202 : 409).send({ rq_id: rqId });
      },
    );

    app.get(
      `${base}/download`,
      { config: { resource: target }, schema: { params: idParams, querystring: downloadQuery } },
      async (request, reply) => {
        const who = actor(request);
        await visibleResource(catalog, who, target, request.params.id);
        const rqId = request.query.rq_id;
        if (!rqId) throw new AppError('BACKUP_API_RQ_ID_MISSING', { field: 'rq_id' });
        const key = parseRequestId(rqId);
        if (key?.action !== 'export' || key.target !== target || key.targetId !== request.params.id)
          throw new AppError('BACKUP_API_RQ_ID_INVALID', { field: 'rq_id' });
        const found = await findRequest(producer, rqId);
        if (found?.kind !== 'export') throw new AppError('BACKUP_API_RQ_ID_UNKNOWN');
        if (!mayAccess(who, found.job)) throw new AppError('BACKUP_API_REQUEST_NOT_FOUND');
        if (found.state !== 'completed') throw new AppError('BACKUP_API_NOT_FINISHED');
        if (exportOutcome(found.job).location !== 'local') throw new AppError('BACKUP_API_NO_LOCAL_RESULT');
        return sendArchive(reply, services, found.job);
      },
    );
  };
}
