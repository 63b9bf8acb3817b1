import { randomUUID } from 'node:crypto';
import type { Logger } from '@cvat-backup/common';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DependencyCheck } from './health/dependency-checks.js';
import { errorHandler } from './http/error-handler.js';
import { opsRoutes } from './routes/ops.routes.js';

export interface AppDependencies {
  logger: Logger;
  /** Readiness probes by dependency name (redis, postgres, …). */
  checks: Record<string, DependencyCheck>;
  trustProxy?: boolean;
}

/** Builds the HTTP application from its dependencies; the caller owns connections and listening. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: deps.trustProxy ?? false,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ detail: 'Not found.', code: 'NOT_FOUND' }),
  );
  await app.register(opsRoutes(deps.checks));
  return app;
}
