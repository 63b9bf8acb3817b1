import { actorOf } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actor } from '../auth/auth.hook.js';
import { endSession, startSession } from '../auth/session.js';
import { DEFAULT_SESSION_AGE_SECONDS } from '../auth/session-cookies.js';
import type { ApiServices } from '../http/api-services.js';
import { baseUrl } from '../http/urls.js';
import { serializeUser } from '../serializers/user.serializer.js';

export const loginBody = z
  .object({
    username: z.string().min(1).optional(),
    email: z.string().min(1).optional(),
    password: z.string().min(1),
  })
  .refine((b) => b.username !== undefined || b.email !== undefined, {
    message: 'Must include "username" or "email".',
    path: ['non_field_errors'],
  });

export const registerBody = z.object({
  username: z.string().min(5).max(150),
  email: z.email().max(254).optional(),
  password1: z.string().min(8, 'This password is too short. It must contain at least 8 characters.'),
  password2: z.string().min(1),
  first_name: z.string().max(150).optional(),
  last_name: z.string().max(150).optional(),
});

/** `/api/auth/login`, `/logout`, `/register` and `/api/users/self` in CVAT's shapes. */
export function authRoutes(services: ApiServices) {
  const { users } = services.catalog;
  const maxAgeSeconds = services.sessionAgeSeconds ?? DEFAULT_SESSION_AGE_SECONDS;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/api/auth/login',
      { config: { public: true }, schema: { body: loginBody } },
      async (request, reply) => {
        const user = await users.authenticate(
          request.body.username ?? request.body.email ?? '',
          request.body.password,
        );
        if (!user) throw new AppError('API_LOGIN_FAILED', { field: 'non_field_errors' });
        // The key for `Authorization: Token`, and a session in cookies for the UI (and cvat-sdk's check).
        const key = await users.issueToken(user.id);
        await startSession(users, request, reply, { userId: user.id, maxAgeSeconds });
        return { key };
      },
    );

    app.post('/api/auth/logout', { config: { public: true } }, async (request, reply) => {
      // CVAT answers 200 even without a session; a Token/Bearer key sent along is revoked, and the
      // session of the cookie ends (both, when cvat-sdk sends both).
      await endSession(users, request, reply);
      const [scheme, key] = (request.headers.authorization ?? '').split(' ');
      if (key && /^(token|bearer)$/i.test(scheme ?? '')) await users.revokeToken(key.trim());
      return { detail: 'Successfully logged out.' };
    });

    app.post(
      '/api/auth/register',
      { config: { public: true }, schema: { body: registerBody } },
      async (request, reply) => {
        if (!services.registrationEnabled) throw new AppError('API_REGISTRATION_DISABLED');
        const b = request.body;
        if (b.password1 !== b.password2) throw new AppError('API_PASSWORDS_MISMATCH', { field: 'password2' });
        const user = await users.create({
          username: b.username,
          password: b.password1,
          ...(b.email !== undefined ? { email: b.email } : {}),
          ...(b.first_name !== undefined ? { first_name: b.first_name } : {}),
          ...(b.last_name !== undefined ? { last_name: b.last_name } : {}),
        });
        const key = await users.issueToken(user.id);
        // allauth logs a new account in when no e-mail verification is required, as here.
        await startSession(users, request, reply, { userId: user.id, maxAgeSeconds });
        return reply.code(201).send({
          username: user.username,
          email: user.email,
          first_name: user.first_name,
          last_name: user.last_name,
          email_verification_required: false,
          key,
        });
      },
    );

    app.get('/api/users/self', async (request) => {
      actor(request);
      const self = await users.get(actorOf(request.principal!).id);
      if (!self) throw new AppError('NOT_FOUND');
      return serializeUser(baseUrl(request), self);
    });
  };
}
