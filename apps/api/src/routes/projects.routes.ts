import { PROJECT_FILTERS } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actor } from '../auth/auth.hook.js';
import type { ApiServices } from '../http/api-services.js';
import { labelWrite, storageWrite } from '../http/common.schemas.js';
import { listQuerySchema, pageEnvelope, toListQuery } from '../http/pagination.js';
import { idParams } from '../http/params.js';
import { baseUrl } from '../http/urls.js';
import { type DeletedTaskMedia, removeTaskMedia } from '../media/task-media.js';
import { serializeProject } from '../serializers/project.serializer.js';

/** CVAT's `ProjectWrite`. */
export const projectCreateBody = z.object({
  name: z.string().trim().min(1).max(256),
  labels: z.array(labelWrite).default([]),
  owner_id: z.number().int().positive().nullable().optional(),
  assignee_id: z.number().int().positive().nullable().optional(),
  bug_tracker: z.string().max(2000).optional(),
  target_storage: storageWrite.optional(),
  source_storage: storageWrite.optional(),
});

export const projectPatchBody = z
  .object({
    name: z.string().trim().min(1).max(256),
    labels: z.array(labelWrite),
    owner_id: z.number().int().positive().nullable(),
    assignee_id: z.number().int().positive().nullable(),
    bug_tracker: z.string().max(2000),
    status: z.enum(['annotation', 'validation', 'completed']),
    target_storage: storageWrite,
    source_storage: storageWrite,
  })
  .partial();

/** Projects CRUD: `/api/projects[/{id}]`. */
export function projectsRoutes(services: ApiServices) {
  const { projects } = services.catalog;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/api/projects', { schema: { querystring: listQuerySchema } }, async (request) => {
      const query = toListQuery(request.query, PROJECT_FILTERS);
      const base = baseUrl(request);
      const page = await projects.list(actor(request), query);
      return pageEnvelope(request, query, page, (p) => serializeProject(base, p));
    });

    app.post('/api/projects', { schema: { body: projectCreateBody } }, async (request, reply) => {
      const a = actor(request);
      const created = await projects.create(a, { ...request.body, owner_id: request.body.owner_id ?? a.id });
      return reply.code(201).send(serializeProject(baseUrl(request), created));
    });

    app.get(
      '/api/projects/:id',
      { config: { resource: 'project' }, schema: { params: idParams } },
      async (request) => {
        const project = await projects.get(actor(request), request.params.id);
        if (!project) throw new AppError('NOT_FOUND');
        return serializeProject(baseUrl(request), project);
      },
    );

    app.patch(
      '/api/projects/:id',
      { config: { resource: 'project' }, schema: { params: idParams, body: projectPatchBody } },
      async (request) => {
        const updated = await projects.update(actor(request), request.params.id, request.body);
        if (!updated) throw new AppError('NOT_FOUND');
        return serializeProject(baseUrl(request), updated);
      },
    );

    app.delete(
      '/api/projects/:id',
      { config: { resource: 'project' }, schema: { params: idParams } },
      async (request, reply) => {
        const a = actor(request);
        const tasks = await services.catalog.tasks.list(a, {
          filters: { project_id: request.params.id },
          pageSize: 'all',
        });
        const media: DeletedTaskMedia[] = [];
        for (const task of tasks.results)
          media.push({ taskId: task.id, data: await services.catalog.data.getForTask(task.id) });
        if (!(await projects.delete(a, request.params.id))) throw new AppError('NOT_FOUND');
        for (const task of media) await removeTaskMedia(services, task, request.log);
        return reply.code(204).send();
      },
    );
  };
}
