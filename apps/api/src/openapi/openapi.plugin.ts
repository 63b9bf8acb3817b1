import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document, generated from the routes' own zod schemas: served at `/api/schema` (JSON) with
 * a docs page at `/docs`. Register it before the routes: it collects them as they are added.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'cvat-backup',
        version: '0.1.0',
        description:
          "Backup and restore of CVAT tasks and projects in CVAT's archive format, with CVAT-compatible endpoints.",
      },
      components: {
        securitySchemes: {
          tokenAuth: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: '`Token <key>` from POST /api/auth/login',
          },
          basicAuth: { type: 'http', scheme: 'basic' },
          sessionAuth: {
            type: 'apiKey',
            in: 'cookie',
            name: 'sessionid',
            description: 'the session cookie set by POST /api/auth/login',
          },
          csrfAuth: {
            type: 'apiKey',
            in: 'header',
            name: 'X-CSRFToken',
            description: 'the csrftoken cookie echoed; required with sessionAuth on POST, PUT, PATCH, DELETE',
          },
        },
      },
      security: [{ tokenAuth: [] }, { basicAuth: [] }, { sessionAuth: [], csrfAuth: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // Outside /api, so public like CVAT's docs page.
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/schema', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
