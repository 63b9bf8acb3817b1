import type { GuideRecord } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actor } from '../auth/auth.hook.js';
import type { ApiServices } from '../http/api-services.js';
import { idParams } from '../http/params.js';

/** CVAT's `AnnotationGuideWrite` for POST: exactly one of task_id and project_id. */
export const guideCreateBody = z
  .object({
    task_id: z.number().int().positive().nullable().optional(),
    project_id: z.number().int().positive().nullable().optional(),
    markdown: z.string().optional(),
  })
  .superRefine((b, ctx) => {
    const task = (b.task_id ?? null) !== null;
    const project = (b.project_id ?? null) !== null;
    if (task === project)
      ctx.addIssue({
        code: 'custom',
        path: ['non_field_errors'],
        message: task
          ? 'Both project_id and task_id must not be specified'
          : 'One of project_id or task_id must be specified',
      });
  });

/** As Django's `<uuid:pk>` path converter: anything else is no route, so 404 rather than 400. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** CVAT's `AnnotationGuideRead`. */
export function serializeGuide(g: GuideRecord) {
  return {
    id: g.id,
    task_id: g.task_id,
    project_id: g.project_id,
    created_date: g.created_date.toISOString(),
    updated_date: g.updated_date.toISOString(),
    markdown: g.markdown,
  };
}

/**
 * The header django-sendfile2 gives CVAT's asset download: inline, the name reduced to ASCII (NFKD,
 * other characters dropped), and the UTF-8 name too when that changed it.
 */
export function inlineDisposition(filename: string): string {
  // Control characters (CR, LF, …) cannot go in a header; Django refuses them too.
  const clean = [...filename].filter((c) => c >= ' ' && c !== '\x7f').join('');
  const ascii = clean.normalize('NFKD').replace(/[^\x20-\x7e]/g, '');
  const plain = `inline; filename="${ascii.replace(/["\\]/g, '\\$&')}"`;
  if (ascii === clean) return plain;
  const quoted = encodeURIComponent(clean)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
  return `${plain}; filename*=UTF-8''${quoted}`;
}

/**
 * `/api/guides` and `/api/assets`: a task's or project's annotation guide (as a restore recreates it)
 * and the assets its markdown links as `/api/assets/<uuid>`, for whoever can see the task or project.
 * Not served: PATCH of a guide (CVAT then deletes the assets the markdown no longer links), and
 * POST/DELETE of assets.
 */
export function guidesRoutes(services: ApiServices) {
  const { guides, tasks, projects } = services.catalog;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post('/api/guides', { schema: { body: guideCreateBody } }, async (request, reply) => {
      const who = actor(request);
      const { task_id, project_id, markdown } = request.body;
      const owner = task_id ? { taskId: task_id } : { projectId: project_id! };
      const target = task_id ? await tasks.get(who, task_id) : await projects.get(who, project_id!);
      if (!target) throw new AppError('NOT_FOUND');
      // CVAT keeps one guide per task or project; a second POST must not silently replace it.
      const existing = await guides.forOwner(owner);
      if (existing)
        throw new AppError('VALIDATION_FAILED', {
          problems: `the ${task_id ? 'task' : 'project'} already has annotation guide ${existing.id} (GET /api/guides/${existing.id})`,
        });
      return reply.code(201).send(serializeGuide(await guides.save(owner, markdown ?? '')));
    });

    app.get(
      '/api/guides/:id',
      { config: { resource: 'guide' }, schema: { params: idParams } },
      async (request) => {
        const guide = await guides.get(actor(request), request.params.id);
        if (!guide) throw new AppError('NOT_FOUND');
        return serializeGuide(guide);
      },
    );

    // CVAT's destroy: the guide and its assets (they cascade); the task or project is touched.
    app.delete(
      '/api/guides/:id',
      { config: { resource: 'guide' }, schema: { params: idParams } },
      async (request, reply) => {
        if (!(await guides.delete(actor(request), request.params.id))) throw new AppError('NOT_FOUND');
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/assets/:uuid',
      { schema: { params: z.object({ uuid: z.string() }) } },
      async (request, reply) => {
        const uuid = request.params.uuid.toLowerCase();
        if (!UUID.test(uuid)) throw new AppError('NOT_FOUND');
        const asset = await guides.openAsset(actor(request), uuid);
        if (!asset) throw new AppError('NOT_FOUND');
        return reply
          .code(200)
          .header('content-type', asset.info.content_type)
          .header('content-length', String(asset.info.size))
          .header('content-disposition', inlineDisposition(asset.info.filename))
          .send(asset.content);
      },
    );
  };
}
