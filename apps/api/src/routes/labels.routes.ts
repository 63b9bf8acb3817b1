import { LABEL_FILTERS, type LabelScope } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actor } from '../auth/auth.hook.js';
import type { ApiServices } from '../http/api-services.js';
import { listQuerySchema, pageEnvelope, toListQuery } from '../http/pagination.js';
import { idParams } from '../http/params.js';

const scopeId = z.coerce.number().int().positive().optional();

export const labelsQuery = listQuerySchema
  .extend({ task_id: scopeId, project_id: scopeId, job_id: scopeId })
  .refine((q) => [q.task_id, q.project_id, q.job_id].filter((v) => v !== undefined).length <= 1, {
    message: 'job_id, task_id and project_id parameters cannot be used together',
    path: ['non_field_errors'],
  });

/** `/api/labels`: top-level labels of a project, a task (its project's when in one) or a job. */
export function labelsRoutes(services: ApiServices) {
  const { labels } = services.catalog;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/api/labels', { schema: { querystring: labelsQuery } }, async (request) => {
      const { task_id, project_id, job_id, ...rest } = request.query;
      const scope: LabelScope = {};
      if (task_id !== undefined) scope.task_id = task_id;
      if (project_id !== undefined) scope.project_id = project_id;
      if (job_id !== undefined) scope.job_id = job_id;
      const query = toListQuery(rest, LABEL_FILTERS);
      const page = await labels.list(actor(request), scope, query);
      if (!page) throw new AppError('NOT_FOUND');
      return pageEnvelope(request, query, page, (l) => l);
    });

    app.get(
      '/api/labels/:id',
      { config: { resource: 'label' }, schema: { params: idParams } },
      async (request) => {
        const label = await labels.get(actor(request), request.params.id);
        if (!label) throw new AppError('NOT_FOUND');
        return label;
      },
    );

    app.delete(
      '/api/labels/:id',
      { config: { resource: 'label' }, schema: { params: idParams } },
      async (request, reply) => {
        if (!(await labels.delete(actor(request), request.params.id))) throw new AppError('NOT_FOUND');
        return reply.code(204).send();
      },
    );
  };
}
