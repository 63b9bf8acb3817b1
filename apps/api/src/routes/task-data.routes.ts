import { Readable } from 'node:stream';
import type { DataRecord } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actor } from '../auth/auth.hook.js';
import { taskCreationRequestId } from '../backup/task-creation-request.js';
import type { ApiServices } from '../http/api-services.js';
import { idParams } from '../http/params.js';
import { parseOr400 } from '../http/validate.js';
import { receiveClientFiles } from '../media/client-upload.js';
import { describeCloudFiles } from '../media/cloud-files.js';
import { createTaskData, newUploadPrefix } from '../media/create-task-data.js';
import { dataMetaJson } from '../media/data-meta.js';
import { type DataRequest, dataRequestSchema } from '../media/data-request.schema.js';
import { contentTypeOf } from '../media/image-header.js';
import { openAvailableCloudStorage, openMediaSource } from '../media/media-source.js';

export const frameQuery = z.object({
  type: z.enum(['chunk', 'frame', 'context_image'], { error: 'Data type not specified or has wrong value' }),
  number: z.coerce.number({ error: 'Number is not specified' }).int().min(0).optional(),
  quality: z.enum(['compressed', 'original'], { error: 'Wrong quality value' }).default('compressed'),
});

export const dataMetaPatchBody = z
  .object({
    deleted_frames: z.array(z.number().int().min(0)),
    cloud_storage_id: z.number().int().positive().nullable(),
  })
  .partial()
  .strict();

/**
 * `/api/tasks/{id}/data` (create, frames), `/api/tasks/{id}/data/meta` (read, attach a cloud), and the
 * job variants `/api/jobs/{id}/data` (frames of the job) and `/api/jobs/{id}/data/meta`.
 */
export function taskDataRoutes(services: ApiServices) {
  const { tasks, data: dataRepo } = services.catalog;

  const visibleTask = async (request: FastifyRequest, id: number) => {
    const task = await tasks.get(actor(request), id);
    if (!task) throw new AppError('NOT_FOUND');
    return task;
  };
  const taskData = async (request: FastifyRequest, id: number): Promise<DataRecord> => {
    await visibleTask(request, id);
    const data = await dataRepo.get(actor(request), id);
    if (!data) throw new AppError('API_TASK_HAS_NO_DATA', { taskId: id });
    return data;
  };

  const jobData = async (request: FastifyRequest, id: number) => {
    const job = await services.catalog.jobs.get(actor(request), id);
    if (!job) throw new AppError('NOT_FOUND');
    const data = await dataRepo.get(actor(request), job.task_id);
    if (!data) throw new AppError('API_TASK_HAS_NO_DATA', { taskId: job.task_id });
    return { job, data };
  };

  /** Streams one frame's original file from the task's storage (both qualities: no compressed frames here). */
  const sendFrame = async (reply: FastifyReply, data: DataRecord, query: z.infer<typeof frameQuery>) => {
    const { type, number } = query;
    if (type === 'chunk') throw new AppError('API_CHUNKS_NOT_SUPPORTED');
    if (type === 'context_image') throw new AppError('NOT_FOUND');
    if (number === undefined)
      throw new AppError('API_FRAME_OUT_OF_RANGE', { frame: 'none', last: data.size - 1 });
    if (number >= data.size)
      throw new AppError('API_FRAME_OUT_OF_RANGE', { frame: number, last: data.size - 1 });
    const image = await dataRepo.image(data.id, number);
    if (!image) throw new AppError('NOT_FOUND');
    const source = await openMediaSource(services, data);
    try {
      const body = await source.driver.read(`${data.media_prefix}${image.path}`);
      body.once('close', () => void source.release().catch(() => undefined));
      return reply.type(contentTypeOf(image.path)).send(body);
    } catch (err) {
      await source.release().catch(() => undefined);
      throw err;
    }
  };

  return async (root: FastifyInstance) => {
    // Multipart bodies are streamed by the handler; nothing is buffered before it runs.
    await root.register(multipart, {
      // `parts` counts files and fields together; its default of 1,000 would cap uploads below `files`.
      limits: {
        fileSize: services.limits.uploadBytes,
        files: services.limits.uploadFiles,
        parts: services.limits.uploadFiles + 100_000,
      },
    });
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/api/tasks/:id/data',
      // A JSON body may list many server files; multipart bodies are streamed and limited separately.
      { config: { resource: 'task' }, schema: { params: idParams }, bodyLimit: 64 * 1024 * 1024 },
      async (request, reply) => {
        const task = await visibleTask(request, request.params.id);
        if (task.data !== null) throw new AppError('CATALOG_DATA_ALREADY_ATTACHED', { taskId: task.id });
        if (request.isMultipart()) {
          const prefix = newUploadPrefix(task.id);
          const upload = await receiveClientFiles(request, services.localMedia, prefix, services.limits);
          try {
            const body = parseOr400(dataRequestSchema, upload.fields);
            if (body.server_files.length > 0 || body.cloud_storage_id != null)
              throw new AppError('API_DATA_SOURCE_INVALID', {
                problem: 'send either client_files or server_files with cloud_storage_id, not both',
                field: 'server_files',
              });
            await createTaskData(services, task, body, upload.files, {
              storage: 'local',
              cloudStorageId: null,
              mediaPrefix: prefix,
              manifestTo: services.localMedia,
            });
          } catch (err) {
            await upload.discard();
            await services.localMedia.delete(`${prefix}manifest.jsonl`).catch(() => undefined);
            throw err;
          }
        } else {
          const body = parseOr400(dataRequestSchema, request.body ?? {});
          await createCloudData(request, body, task);
        }
        return reply.code(202).send({ rq_id: taskCreationRequestId(task.id) });
      },
    );

    const createCloudData = async (
      request: FastifyRequest,
      body: DataRequest,
      task: Awaited<ReturnType<typeof visibleTask>>,
    ) => {
      if (body.cloud_storage_id == null)
        throw new AppError('API_DATA_SOURCE_INVALID', {
          problem:
            'this server takes uploaded client_files (multipart) or server_files with a cloud_storage_id; there is no shared folder',
          field: 'server_files',
        });
      const record = await services.catalog.cloudStorages.get(actor(request), body.cloud_storage_id);
      if (!record)
        throw new AppError('CATALOG_REFERENCE_NOT_FOUND', {
          entity: 'cloud storage',
          id: body.cloud_storage_id,
        });
      const source = await openAvailableCloudStorage(services, record.id, record.display_name);
      try {
        const media = await describeCloudFiles(source.driver, body.server_files, record.manifests);
        request.log.info(
          { taskId: task.id, files: media.files.length, from: media.source },
          'cloud data described',
        );
        await createTaskData(services, task, body, media.files, {
          storage: 'cloud_storage',
          cloudStorageId: record.id,
          mediaPrefix: '',
        });
      } finally {
        await source.release();
      }
    };

    app.get(
      '/api/tasks/:id/data',
      { config: { resource: 'task' }, schema: { params: idParams, querystring: frameQuery } },
      async (request, reply) => {
        const data = await taskData(request, request.params.id);
        return sendFrame(reply, data, request.query);
      },
    );

    app.get(
      '/api/jobs/:id/data',
      { config: { resource: 'job' }, schema: { params: idParams, querystring: frameQuery } },
      async (request, reply) => {
        const { job, data } = await jobData(request, request.params.id);
        const n = request.query.number;
        // CVAT's job variant takes task frame numbers that belong to the job.
        const inJob =
          n !== undefined &&
          n >= job.start_frame &&
          n <= job.stop_frame &&
          (!job.frames || job.frames.includes(n));
        if (request.query.type === 'frame' && n !== undefined && !inJob)
          throw new AppError('API_FRAME_OUT_OF_RANGE', { frame: n, last: job.stop_frame });
        return sendFrame(reply, data, request.query);
      },
    );

    app.get(
      '/api/jobs/:id/data/meta',
      { config: { resource: 'job' }, schema: { params: idParams } },
      async (request, reply) => {
        const { job, data } = await jobData(request, request.params.id);
        const scope = { start: job.start_frame, stop: job.stop_frame, frames: job.frames };
        return reply.type('application/json').send(Readable.from(dataMetaJson(dataRepo, data, scope)));
      },
    );

    app.get(
      '/api/tasks/:id/data/meta',
      { config: { resource: 'task' }, schema: { params: idParams } },
      async (request, reply) => {
        const data = await taskData(request, request.params.id);
        return reply.type('application/json').send(Readable.from(dataMetaJson(dataRepo, data)));
      },
    );

    app.patch(
      '/api/tasks/:id/data/meta',
      { config: { resource: 'task' }, schema: { params: idParams, body: dataMetaPatchBody } },
      async (request, reply) => {
        await taskData(request, request.params.id);
        const { cloud_storage_id } = request.body;
        if (cloud_storage_id != null) {
          const record = await services.catalog.cloudStorages.get(actor(request), cloud_storage_id);
          if (!record)
            throw new AppError('CATALOG_REFERENCE_NOT_FOUND', {
              entity: 'cloud storage',
              id: cloud_storage_id,
            });
          await (await openAvailableCloudStorage(services, record.id, record.display_name)).release();
        }
        const updated = await dataRepo.update(actor(request), request.params.id, request.body);
        if (!updated) throw new AppError('NOT_FOUND');
        return reply.type('application/json').send(Readable.from(dataMetaJson(dataRepo, updated)));
      },
    );
  };
}
