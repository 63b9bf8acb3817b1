import { JOB_FILTERS } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actor } from '../auth/auth.hook.js';
import type { ApiServices } from '../http/api-services.js';
import { listQuerySchema, pageEnvelope, toListQuery } from '../http/pagination.js';
import { idParams } from '../http/params.js';
import { baseUrl } from '../http/urls.js';
import { serializeJob } from '../serializers/job.serializer.js';

/** CVAT's `JobWrite` for PATCH. */
export const jobPatchBody = z
  .object({
    assignee: z.number().int().positive().nullable(),
    stage: z.enum(['annotation', 'validation', 'acceptance']),
    state: z.enum(['new', 'in progress', 'completed', 'rejected']),
  })
  .partial()
  .strict();

/** `/api/jobs`: list, read, and PATCH of assignee/stage/state. */
export function jobsRoutes(services: ApiServices) {
  const { jobs } = services.catalog;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/api/jobs', { schema: { querystring: listQuerySchema } }, async (request) => {
      const query = toListQuery(request.query, JOB_FILTERS);
      const base = baseUrl(request);
      const page = await jobs.list(actor(request), query);
      return pageEnvelope(request, query, page, (j) => serializeJob(base, j));
    });

    app.get(
      '/api/jobs/:id',
      { config: { resource: 'job' }, schema: { params: idParams } },
      async (request) => {
        const job = await jobs.get(actor(request), request.params.id);
        if (!job) throw new AppError('NOT_FOUND');
        return serializeJob(baseUrl(request), job);
      },
    );

    app.patch(
      '/api/jobs/:id',
      { config: { resource: 'job' }, schema: { params: idParams, body: jobPatchBody } },
      async (request) => {
        const { assignee, ...rest } = request.body;
        const patch = assignee === undefined ? rest : { ...rest, assignee_id: assignee };
        const updated = await jobs.update(actor(request), request.params.id, patch);
        if (!updated) throw new AppError('NOT_FOUND');
        return serializeJob(baseUrl(request), updated);
      },
    );
  };
}
