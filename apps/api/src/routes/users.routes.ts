import { USER_FILTERS } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actor, requireAdmin } from '../auth/auth.hook.js';
import type { ApiServices } from '../http/api-services.js';
import { listQuerySchema, pageEnvelope, toListQuery } from '../http/pagination.js';
import { idParams } from '../http/params.js';
import { baseUrl } from '../http/urls.js';
import { serializeUser } from '../serializers/user.serializer.js';

export const userPatchBody = z
  .object({
    email: z.email().max(254),
    first_name: z.string().max(150),
    last_name: z.string().max(150),
    is_superuser: z.boolean(),
    is_staff: z.boolean(),
    is_active: z.boolean(),
    password: z.string().min(8),
  })
  .partial()
  .strict();

/** User management: everyone sees themselves; administrators see, change and delete everybody. */
export function usersRoutes(services: ApiServices) {
  const { users } = services.catalog;

  /** Another user is invisible (404) to non-admins, like every other resource. */
  const visibleUser = async (request: FastifyRequest, id: number) => {
    const a = actor(request);
    const user = a.isAdmin || a.id === id ? await users.get(id) : null;
    if (!user) throw new AppError('NOT_FOUND');
    return user;
  };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/api/users', { schema: { querystring: listQuerySchema } }, async (request) => {
      const query = toListQuery(request.query, USER_FILTERS);
      const page = await users.list(actor(request), query);
      const base = baseUrl(request);
      return pageEnvelope(request, query, page, (u) => serializeUser(base, u));
    });

    app.get(
      '/api/users/:id',
      { config: { resource: 'user' }, schema: { params: idParams } },
      async (request) => serializeUser(baseUrl(request), await visibleUser(request, request.params.id)),
    );

    app.patch(
      '/api/users/:id',
      { config: { resource: 'user' }, schema: { params: idParams, body: userPatchBody } },
      async (request) => {
        await visibleUser(request, request.params.id);
        requireAdmin(request, 'change users');
        const updated = await users.update(request.params.id, request.body);
        if (!updated) throw new AppError('NOT_FOUND');
        return serializeUser(baseUrl(request), updated);
      },
    );

    app.delete(
      '/api/users/:id',
      { config: { resource: 'user' }, schema: { params: idParams } },
      async (request, reply) => {
        await visibleUser(request, request.params.id);
        requireAdmin(request, 'delete users');
        if (!(await users.delete(request.params.id))) throw new AppError('NOT_FOUND');
        return reply.code(204).send();
      },
    );
  };
}
