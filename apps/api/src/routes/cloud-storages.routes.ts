import { CLOUD_STORAGE_FILTERS } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actor } from '../auth/auth.hook.js';
import { listContent } from '../cloud/bucket-content.js';
import {
  cloudStorageCreateBody,
  cloudStoragePatchBody,
  contentQuery,
  credentialsOf,
} from '../cloud/cloud-storage.schemas.js';
import { accessOf, checkBeforeSave, storageStatus } from '../cloud/storage-check.js';
import type { ApiServices } from '../http/api-services.js';
import { listQuerySchema, pageEnvelope, toListQuery } from '../http/pagination.js';
import { idParams } from '../http/params.js';
import { baseUrl } from '../http/urls.js';
import { fieldError } from '../http/validate.js';
import { openCloudStorage } from '../media/media-source.js';
import { serializeCloudStorage } from '../serializers/cloud-storage.serializer.js';

/** `/api/cloudstorages`: CRUD in CVAT's shape (secrets write-only), status and `content-v2`. */
export function cloudStoragesRoutes(services: ApiServices) {
  const repo = services.catalog.cloudStorages;

  const visible = async (request: FastifyRequest, id: number) => {
    const record = await repo.get(actor(request), id);
    if (!record) throw new AppError('NOT_FOUND');
    return record;
  };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/api/cloudstorages', { schema: { querystring: listQuerySchema } }, async (request) => {
      const query = toListQuery(request.query, CLOUD_STORAGE_FILTERS);
      const base = baseUrl(request);
      const page = await repo.list(actor(request), query);
      return pageEnvelope(request, query, page, (c) => serializeCloudStorage(base, c));
    });

    app.post('/api/cloudstorages', { schema: { body: cloudStorageCreateBody } }, async (request, reply) => {
      const a = actor(request);
      const b = request.body;
      if (b.provider_type === 'GOOGLE_DRIVE')
        throw fieldError(['provider_type'], 'Google Drive is not supported by this server.');
      const credentials = credentialsOf(b);
      const record = {
        provider_type: b.provider_type,
        resource: b.resource,
        display_name: b.display_name,
        credentials_type: b.credentials_type,
        specific_attributes: b.specific_attributes,
        description: b.description,
        manifests: b.manifests,
      };
      await checkBeforeSave(services, accessOf(record, credentials));
      const created = await repo.create(a, { ...record, credentials, owner_id: a.id });
      return reply.code(201).send(serializeCloudStorage(baseUrl(request), created));
    });

    app.get(
      '/api/cloudstorages/:id',
      { config: { resource: 'cloudstorage' }, schema: { params: idParams } },
      async (request) => serializeCloudStorage(baseUrl(request), await visible(request, request.params.id)),
    );

    app.patch(
      '/api/cloudstorages/:id',
      { config: { resource: 'cloudstorage' }, schema: { params: idParams, body: cloudStoragePatchBody } },
      async (request) => {
        const current = await visible(request, request.params.id);
        const stored = await services.catalog.cloudStorages.access(current.id);
        if (!stored) throw new AppError('NOT_FOUND');
        const b = request.body;
        const given = credentialsOf(b);
        const typeChanged =
          b.credentials_type !== undefined && b.credentials_type !== current.credentials_type;
        const credentials = typeChanged ? given : { ...stored.credentials, ...given };
        const next = {
          provider_type: current.provider_type,
          resource: b.resource ?? current.resource,
          display_name: b.display_name ?? current.display_name,
          credentials_type: b.credentials_type ?? current.credentials_type,
          specific_attributes: b.specific_attributes ?? current.specific_attributes,
          description: b.description ?? current.description,
          manifests: b.manifests ?? current.manifests,
        };
        await checkBeforeSave(services, accessOf(next, credentials as Record<string, string>));
        const { key, secret_key, session_token, account_name, connection_string, key_file, ...fields } = b;
        const updated = await repo.update(actor(request), current.id, {
          ...fields,
          ...(Object.keys(given).length > 0 || typeChanged ? { credentials: given } : {}),
        });
        if (!updated) throw new AppError('NOT_FOUND');
        return serializeCloudStorage(baseUrl(request), updated);
      },
    );

    app.delete(
      '/api/cloudstorages/:id',
      { config: { resource: 'cloudstorage' }, schema: { params: idParams } },
      async (request, reply) => {
        if (!(await repo.delete(actor(request), request.params.id))) throw new AppError('NOT_FOUND');
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/cloudstorages/:id/status',
      { config: { resource: 'cloudstorage' }, schema: { params: idParams } },
      async (request, reply) => {
        const record = await visible(request, request.params.id);
        const access = await services.catalog.cloudStorages.access(record.id);
        if (!access) throw new AppError('NOT_FOUND');
        return reply.type('application/json').send(JSON.stringify(await storageStatus(services, access)));
      },
    );

    app.get(
      '/api/cloudstorages/:id/content-v2',
      { config: { resource: 'cloudstorage' }, schema: { params: idParams, querystring: contentQuery } },
      async (request) => {
        const record = await visible(request, request.params.id);
        if (request.query.manifest_path !== undefined)
          throw fieldError(['manifest_path'], 'Listing from a manifest is not supported; list the bucket.');
        const source = await openCloudStorage(services, record.id);
        try {
          return await listContent(
            source.driver,
            request.query.prefix,
            request.query.next_token,
            request.query.page_size,
          );
        } finally {
          await source.release();
        }
      },
    );
  };
}
