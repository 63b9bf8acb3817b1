import type { Catalog } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { importRequestId } from '@cvat-backup/queue';
import { validateKey } from '@cvat-backup/storage';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actor } from '../auth/auth.hook.js';
import { type ImportQuery, importQuery } from './backup.schemas.js';
import type { BackupServices } from './backup-services.js';
import type { BackupTarget } from './export-request.js';
import { pollImport, startImport, targetProject } from './import-request.js';
import { resolveLocation } from './location.js';
import { receiveBackupFile, stagedKey } from './staged-upload.js';
import { tusCreate, tusHeaders } from './tus.routes.js';
import { fileUuid, type TusStore } from './tus-store.js';

/**
 * `POST /api/{tasks|projects}/backup` (format doc §10.3, §10.5, §10.6), dispatched as CVAT does:
 * a legacy poll (`rq_id` in the query or the form), the upload headers (Upload-Finish, Upload-Start,
 * TUS creation by Upload-Length), a cloud-storage key, or a single multipart file.
 */
export function importRoutes(
  catalog: Catalog,
  services: BackupServices,
  tus: TusStore,
  target: BackupTarget,
) {
  const { producer, staging } = services;
  const fileField = `${target}_file`;

  const finishUpload = async (request: FastifyRequest, reply: FastifyReply, query: ImportQuery) => {
    const who = actor(request);
    const fileId = query.filename ?? '';
    const projectId = await targetProject(catalog, who, target, query.project_id);
    const key = stagedKey(fileId);
    const info = await tus.finish(fileId, who, key);
    try {
      return await startImport(producer, reply, {
        target,
        userId: who.id,
        source: { kind: 'staged', key },
        projectId,
        originalFilename: info.filename,
        rqId: importRequestId(target, fileUuid(fileId)),
      });
    } catch (err) {
      await staging.delete(key).catch(() => undefined);
      throw err;
    }
  };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post(`/api/${target}s/backup`, { schema: { querystring: importQuery } }, async (request, reply) => {
      const who = actor(request);
      const { query, headers } = request;
      if (query.rq_id) return pollImport(producer, reply, who, target, query.rq_id);
      if (headers['upload-finish'] !== undefined) return finishUpload(request, reply, query);
      if (headers['upload-start'] !== undefined) return tusHeaders(reply, services).code(202).send();
      if (headers['upload-length'] !== undefined) return tusCreate(request, reply, tus, services, target);

      const source = await resolveLocation(catalog.cloudStorages, who, query, null, 'source');
      const projectId = await targetProject(catalog, who, target, query.project_id);
      const received = request.isMultipart()
        ? await receiveBackupFile(request, staging, fileField, services.uploadLimitBytes)
        : { fields: {} as Record<string, string> };
      const { staged } = received;
      const rqId = received.fields['rq_id'];
      if (rqId || source.location === 'cloud_storage') {
        if (staged) await staging.delete(staged.key).catch(() => undefined);
        if (rqId) return pollImport(producer, reply, who, target, rqId);
      }
      if (source.location === 'cloud_storage') {
        if (!query.filename) throw new AppError('BACKUP_API_FILENAME_MISSING', { field: 'filename' });
        // A key the storage would refuse (`..`, absolute, NUL) is a 400 now, not a failed job later.
        validateKey(query.filename);
        return startImport(producer, reply, {
          target,
          userId: who.id,
          source: { kind: 'cloud_storage', cloudStorageId: source.cloudStorageId, key: query.filename },
          projectId,
          originalFilename: query.filename,
        });
      }
      if (!staged) throw new AppError('BACKUP_API_FILE_MISSING', { field: fileField });
      try {
        return await startImport(producer, reply, {
          target,
          userId: who.id,
          source: { kind: 'staged', key: staged.key },
          projectId,
          originalFilename: staged.filename,
        });
      } catch (err) {
        await staging.delete(staged.key).catch(() => undefined);
        throw err;
      }
    });
  };
}
