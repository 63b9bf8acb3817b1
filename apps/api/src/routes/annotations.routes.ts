import type { Readable } from 'node:stream';
import type { AnnotationItem, JobRecord } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { above, among, annotationsJson, idFloor } from '../annotations/annotation-json.js';
import { applyAnnotations, type WriteAction } from '../annotations/annotation-writer.js';
import { JobRouter } from '../annotations/job-router.js';
import { patchQuery, putQuery } from '../annotations/labeled-data.schema.js';
import { scanLabeledData } from '../annotations/labeled-data-scanner.js';
import { type IdRule, validatedItems } from '../annotations/validated-items.js';
import { actor } from '../auth/auth.hook.js';
import type { ApiServices } from '../http/api-services.js';
import { idParams } from '../http/params.js';

const JSON_TYPES = ['application/json', 'application/vnd.cvat+json'];
const ID_RULES: Record<WriteAction, IdRule> = {
  put: 'ignored',
  create: 'absent',
  update: 'present',
  delete: 'present',
};

/**
 * `GET/PUT/PATCH/DELETE /api/tasks/{id}/annotations` and `/api/jobs/{id}/annotations` with CVAT's
 * `{version, tags, shapes, tracks}`: bodies are scanned as they arrive and answers are streamed from
 * cursors, so a million shapes pass at flat memory.
 */
export function annotationsRoutes(services: ApiServices) {
  const { catalog } = services;

  /** The jobs a task's annotations live in: annotation jobs, plus the GT job of a `gt_pool` task. */
  const taskJobs = async (request: FastifyRequest, taskId: number): Promise<JobRecord[]> => {
    const task = await catalog.tasks.get(actor(request), taskId);
    if (!task) throw new AppError('NOT_FOUND');
    if (task.data === null) throw new AppError('CATALOG_TASK_HAS_NO_DATA', { taskId });
    const jobs = await catalog.jobs.forTask(taskId);
    return jobs.filter(
      (j) => j.type === 'annotation' || (j.type === 'ground_truth' && task.validation_mode === 'gt_pool'),
    );
  };
  const oneJob = async (request: FastifyRequest, jobId: number): Promise<JobRecord[]> => {
    const job = await catalog.jobs.get(actor(request), jobId);
    if (!job) throw new AppError('NOT_FOUND');
    return [job];
  };

  const send = (reply: FastifyReply, body: Readable) => reply.type('application/json').send(body);

  const write = async (
    request: FastifyRequest,
    jobs: JobRecord[],
    action: WriteAction,
    reply: FastifyReply,
  ) => {
    const ids = jobs.map((j) => j.id);
    const floor = action === 'create' ? await idFloor(catalog, ids) : undefined;
    const body = request.body as AsyncIterable<Buffer> | undefined;
    const events = scanLabeledData(body ?? [], {
      maxBytes: services.limits.annotationBytes,
      maxObjectBytes: services.limits.annotationObjectBytes,
    });
    const touched = { tags: new Set<number>(), shapes: new Set<number>(), tracks: new Set<number>() };
    const items = validatedItems(events, ID_RULES[action]);
    await applyAnnotations(
      catalog,
      new JobRouter(jobs),
      action,
      action === 'update' ? remember(items, touched) : items,
    );
    // PUT answers with everything saved, PATCH create with what it created (ids assigned), PATCH update
    // with the updated objects as stored, PATCH delete with empty lists (the objects are gone).
    if (action === 'put') return send(reply, annotationsJson(catalog, ids));
    if (action === 'create') return send(reply, annotationsJson(catalog, ids, above(floor!)));
    if (action === 'update') return send(reply, annotationsJson(catalog, ids, among(touched)));
    return send(reply, annotationsJson(catalog, []));
  };

  async function* remember(items: AsyncIterable<AnnotationItem>, into: Record<string, Set<number>>) {
    for await (const item of items) {
      into[`${item.kind}s`]!.add(item.value.id!);
      yield item;
    }
  }

  return async (root: FastifyInstance) => {
    // Annotation bodies reach the handler as the raw request stream.
    root.removeContentTypeParser(JSON_TYPES);
    root.addContentTypeParser(JSON_TYPES, (_request, payload, done) => done(null, payload));
    const app = root.withTypeProvider<ZodTypeProvider>();

    for (const [scope, resolve] of [
      ['tasks', taskJobs],
      ['jobs', oneJob],
    ] as const) {
      const url = `/api/${scope}/:id/annotations`;
      const config = { resource: scope === 'tasks' ? ('task' as const) : ('job' as const) };

      app.get(url, { config, schema: { params: idParams } }, async (request, reply) => {
        const jobs = await resolve(request, request.params.id);
        return send(
          reply,
          annotationsJson(
            catalog,
            jobs.map((j) => j.id),
          ),
        );
      });

      app.put(url, { config, schema: { params: idParams, querystring: putQuery } }, async (request, reply) =>
        write(request, await resolve(request, request.params.id), 'put', reply),
      );

      app.patch(
        url,
        { config, schema: { params: idParams, querystring: patchQuery } },
        async (request, reply) =>
          write(request, await resolve(request, request.params.id), request.query.action, reply),
      );

      app.delete(url, { config, schema: { params: idParams } }, async (request, reply) => {
        const jobs = await resolve(request, request.params.id);
        await catalog.transaction(async (tx) => {
          for (const job of jobs) await tx.annotations.clear(job.id);
        });
        return reply.code(204).send();
      });
    }
  };
}
