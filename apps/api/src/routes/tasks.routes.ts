import { TASK_FILTERS } from '@cvat-backup/catalog';
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
import { removeTaskMedia } from '../media/task-media.js';
import { serializeTask } from '../serializers/task.serializer.js';

/** CVAT's `TaskWrite` (POST). */
export const taskCreateBody = z
  .object({
    name: z.string().trim().min(1).max(256),
    project_id: z.number().int().positive().nullable().optional(),
    labels: z.array(labelWrite).default([]),
    owner_id: z.number().int().positive().nullable().optional(),
    assignee_id: z.number().int().positive().nullable().optional(),
    bug_tracker: z.string().max(2000).optional(),
    overlap: z.number().int().min(0).nullable().optional(),
    segment_size: z.number().int().min(0).optional(),
    subset: z.string().max(64).optional(),
    target_storage: storageWrite.optional(),
    source_storage: storageWrite.optional(),
    consensus_replicas: z.literal(0).optional(),
  })
  .refine((t) => !(t.project_id != null && t.labels.length > 0), {
    message: 'Task must have only one of Label set or project_id',
    path: ['non_field_errors'],
  })
  .refine((t) => t.project_id != null || t.labels.length > 0, {
    message: 'Label set or project_id must be present',
    path: ['non_field_errors'],
  });

/** CVAT's `TaskWrite` (PATCH); overlap, segment_size and consensus are write-once. */
export const taskPatchBody = z
  .object({
    name: z.string().trim().min(1).max(256),
    project_id: z.number().int().positive().nullable(),
    labels: z.array(labelWrite),
    owner_id: z.number().int().positive().nullable(),
    assignee_id: z.number().int().positive().nullable(),
    bug_tracker: z.string().max(2000),
    subset: z.string().max(64),
    target_storage: storageWrite,
    source_storage: storageWrite,
  })
  .partial();

/** Tasks CRUD: `/api/tasks[/{id}]`. */
export function tasksRoutes(services: ApiServices) {
  const { tasks } = services.catalog;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/api/tasks', { schema: { querystring: listQuerySchema } }, async (request) => {
      const query = toListQuery(request.query, TASK_FILTERS);
      const base = baseUrl(request);
      const page = await tasks.list(actor(request), query);
      return pageEnvelope(request, query, page, (t) => serializeTask(base, t));
    });

    app.post('/api/tasks', { schema: { body: taskCreateBody } }, async (request, reply) => {
      const a = actor(request);
      const created = await tasks.create(a, { ...request.body, owner_id: request.body.owner_id ?? a.id });
      return reply.code(201).send(serializeTask(baseUrl(request), created));
    });

    app.get(
      '/api/tasks/:id',
      { config: { resource: 'task' }, schema: { params: idParams } },
      async (request) => {
        const task = await tasks.get(actor(request), request.params.id);
        if (!task) throw new AppError('NOT_FOUND');
        return serializeTask(baseUrl(request), task);
      },
    );

    app.patch(
      '/api/tasks/:id',
      { config: { resource: 'task' }, schema: { params: idParams, body: taskPatchBody } },
      async (request) => {
        const updated = await tasks.update(actor(request), request.params.id, request.body);
        if (!updated) throw new AppError('NOT_FOUND');
        return serializeTask(baseUrl(request), updated);
      },
    );

    app.delete(
      '/api/tasks/:id',
      { config: { resource: 'task' }, schema: { params: idParams } },
      async (request, reply) => {
        // Read first: the delete cascades to the data row that says where the media are.
        const data = await services.catalog.data.getForTask(request.params.id);
        if (!(await tasks.delete(actor(request), request.params.id))) throw new AppError('NOT_FOUND');
        await removeTaskMedia(services, { taskId: request.params.id, data }, request.log);
        return reply.code(204).send();
      },
    );
  };
}
