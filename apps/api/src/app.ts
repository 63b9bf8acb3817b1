import { randomUUID } from 'node:crypto';
import type { Logger } from '@cvat-backup/common';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type HTTPMethods } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { OpsQueues } from './admin/ops-queues.js';
import { queueDashboard } from './admin/queue-dashboard.js';
import { installAuth, type ResourceKind } from './auth/auth.hook.js';
import { backupRoutes } from './backup/backup.routes.js';
import type { DependencyCheck } from './health/dependency-checks.js';
import type { ApiServices } from './http/api-services.js';
import { errorHandler } from './http/error-handler.js';
import { installMetrics } from './metrics/metrics.plugin.js';
import { registerOpenApi } from './openapi/openapi.plugin.js';
import { annotationsRoutes } from './routes/annotations.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { cloudStoragesRoutes } from './routes/cloud-storages.routes.js';
import { guidesRoutes } from './routes/guides.routes.js';
import { jobsRoutes } from './routes/jobs.routes.js';
import { labelsRoutes } from './routes/labels.routes.js';
import { opsRoutes } from './routes/ops.routes.js';
import { projectsRoutes } from './routes/projects.routes.js';
import { serverRoutes } from './routes/server.routes.js';
import { taskDataRoutes } from './routes/task-data.routes.js';
import { tasksRoutes } from './routes/tasks.routes.js';
import { usersRoutes } from './routes/users.routes.js';
import { scheduleRoutes } from './schedules/schedules.routes.js';
import { webhooksRoutes } from './webhooks/webhooks.routes.js';

export interface AppDependencies {
  logger: Logger;
  /** Readiness probes by dependency name (redis, postgres, …). */
  checks: Record<string, DependencyCheck>;
  trustProxy?: boolean;
  /** The catalog endpoints (auth, projects, tasks, …); without it only the ops endpoints exist. */
  api?: ApiServices;
  /** Every queue, watched by `/metrics` and the admin dashboard (`/admin/queues`, needs `api`). */
  ops?: OpsQueues;
  /** When set, `/metrics` requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** The dashboard without buttons that change queues; true unless set to false. */
  dashboardReadOnly?: boolean;
}

/** One registered route, as the authorization matrix and the OpenAPI document read them. */
export interface RouteEntry {
  method: HTTPMethods;
  url: string;
  public: boolean;
  resource: ResourceKind | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, in registration order (HEAD routes Fastify adds are left out). */
    routeTable: RouteEntry[];
  }
}

/** Builds the HTTP application from its dependencies; the caller owns connections and listening. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: deps.trustProxy ?? false,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // CVAT serves every collection with and without a trailing slash.
    routerOptions: { ignoreTrailingSlash: true },
  });
  const routes: RouteEntry[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: route.url,
        public: route.config?.public === true || !route.url.startsWith('/api/'),
        resource: route.config?.resource,
      });
    }
  });
  installMetrics(app, { ops: deps.ops, token: deps.metricsToken });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // CVAT clients may send their own JSON media type.
  app.addContentTypeParser(
    'application/vnd.cvat+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ detail: 'Not found.', code: 'NOT_FOUND' }),
  );
  await registerOpenApi(app);
  await app.register(opsRoutes(deps.checks));
  if (deps.api) {
    const api = deps.api;
    installAuth(app, api.catalog.users);
    for (const plugin of [
      authRoutes,
      usersRoutes,
      projectsRoutes,
      tasksRoutes,
      taskDataRoutes,
      labelsRoutes,
      jobsRoutes,
      annotationsRoutes,
      cloudStoragesRoutes,
      guidesRoutes,
    ])
      await app.register(plugin(api));
    await app.register(serverRoutes());
    if (api.backup) await app.register(backupRoutes(api.catalog, api.backup));
    if (api.schedules) await app.register(scheduleRoutes(api.catalog, api.schedules));
    if (api.backup) await app.register(webhooksRoutes(api.catalog, api.backup));
    if (deps.ops)
      await app.register(
        queueDashboard({
          queues: deps.ops.queues,
          users: api.catalog.users,
          readOnly: deps.dashboardReadOnly ?? true,
        }),
      );
  }
  return app;
}
