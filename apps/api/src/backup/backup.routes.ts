import type { Catalog } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { BackupServices } from './backup-services.js';
import { exportRoutes } from './export.routes.js';
import { importRoutes } from './import.routes.js';
import { requestsRoutes } from './requests.routes.js';
import { tusRoutes } from './tus.routes.js';
import { TusStore } from './tus-store.js';

/**
 * Every backup/restore endpoint CVAT clients use: export (legacy GET and `/backup/export`), result
 * download, import (multipart, TUS, cloud key, legacy poll) and `/api/requests`.
 */
export function backupRoutes(catalog: Catalog, services: BackupServices) {
  return async (app: FastifyInstance) => {
    // Multipart bodies are streamed by the import handler, never buffered.
    await app.register(multipart, { limits: { fileSize: services.uploadLimitBytes + 1, files: 2 } });
    // BullMQ waits for Redis to come back; a client is better served by a 503 it can retry.
    app.addHook('preHandler', async (request) => {
      if (request.method !== 'OPTIONS' && !services.queuesAvailable())
        throw new AppError('DEPENDENCY_UNAVAILABLE', {
          dependency: 'Redis service',
          reason: 'the backup queues cannot be reached, retry later',
        });
    });
    const tus = new TusStore(services.staging, services.uploadLimitBytes);
    for (const target of ['task', 'project'] as const) {
      await app.register(exportRoutes(catalog, services, target));
      await app.register(importRoutes(catalog, services, tus, target));
      await app.register(tusRoutes(services, tus, target));
    }
    await app.register(requestsRoutes(catalog, services));
  };
}
