import type { Actor, Catalog } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { type RequestView, toRequestView } from '@cvat-backup/queue';
import type { Job } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actor } from '../auth/auth.hook.js';
import { listQuerySchema, pageEnvelope, toListQuery } from '../http/pagination.js';
import { baseUrl } from '../http/urls.js';
import type { BackupServices } from './backup-services.js';
import { listRequests } from './request-list.js';
import { type FoundRequest, findRequest, mayAccess, NOT_STARTED } from './request-lookup.js';
import { taskCreationRequest } from './task-creation-request.js';

const rqParams = z.object({ rq_id: z.string().min(1).max(512) });

/**
 * Django's `never_cache`, which CVAT's request views carry: a request's status changes while a client
 * polls it, so no cache (browser or proxy) may answer for us. Set before the handler, errors keep it.
 */
async function neverCache(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('cache-control', 'max-age=0, no-cache, no-store, must-revalidate, private');
  reply.header('expires', new Date().toUTCString());
}

/** Resolves request owners' usernames once per HTTP request. */
export function ownerNames(catalog: Catalog) {
  const cache = new Map<number, Promise<{ id: number; username: string } | null>>();
  return (id: number) => {
    let owner = cache.get(id);
    if (!owner) {
      owner = catalog.users.get(id).then((u) => (u ? { id: u.id, username: u.username } : null));
      cache.set(id, owner);
    }
    return owner;
  };
}

/**
 * CVAT's requests API over the export and import queues (format doc §10.7): one request, the
 * caller's list, and cancelling a request no worker has taken yet. Another user's request is 403, as
 * CVAT's object permission check answers (an administrator sees all); an unknown id is 404.
 */
export function requestsRoutes(catalog: Catalog, services: BackupServices) {
  const { producer } = services;

  const view = async (request: FastifyRequest, found: FoundRequest, owner = ownerNames(catalog)) =>
    toRequestView(found, {
      origin: baseUrl(request),
      owner: await owner(found.job.data.userId),
      resultTtlSeconds: services.resultTtlSeconds,
      failureTtlSeconds: services.failureTtlSeconds,
    });

  const visible = async (who: Actor, rqId: string): Promise<FoundRequest> => {
    const found = await findRequest(producer, rqId);
    if (!found) throw new AppError('BACKUP_API_REQUEST_NOT_FOUND');
    if (!mayAccess(who, found.job)) throw new AppError('FORBIDDEN');
    return found;
  };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/api/requests',
      { onRequest: neverCache, schema: { querystring: listQuerySchema } },
      async (request) => {
        const query = toListQuery(request.query, [
          'status',
          'project_id',
          'task_id',
          'job_id',
          'action',
          'target',
          'subresource',
          'format',
        ]);
        const owner = ownerNames(catalog);
        const page = await listRequests(producer, actor(request).id, query, (found) =>
          view(request, found, owner),
        );
        return pageEnvelope(request, query, page, (v: RequestView) => v);
      },
    );

    app.get(
      '/api/requests/:rq_id',
      { onRequest: neverCache, schema: { params: rqParams } },
      async (request) => {
        const who = actor(request);
        const { rq_id: rqId } = request.params;
        const creation = await taskCreationRequest(catalog, who, rqId);
        return creation ?? view(request, await visible(who, rqId));
      },
    );

    app.post('/api/requests/:rq_id/cancel', { schema: { params: rqParams } }, async (request, reply) => {
      const found = await visible(actor(request), request.params.rq_id);
      if (!NOT_STARTED.has(found.state)) throw new AppError('BACKUP_API_CANCEL_STARTED');
      // remove() refuses a job a worker locked in the meantime: then it has started after all.
      await (found.job as Job).remove().catch(() => {
        throw new AppError('BACKUP_API_CANCEL_STARTED');
      });
      const data = found.job.data as { source?: { kind: string; key: string } };
      if (found.kind === 'import' && data.source?.kind === 'staged')
        await services.staging.delete(data.source.key).catch(() => undefined);
      return reply.code(200).send();
    });
  };
}
