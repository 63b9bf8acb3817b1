import { type Actor, actorOf, type UserRecord, type UserRepository } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { enforceCsrf } from './csrf.js';
import { readCookie, SESSION_COOKIE } from './session-cookies.js';

/** What `:id` in a route's path names; the authorization matrix test builds its requests from it. */
export type ResourceKind =
  | 'project'
  | 'task'
  | 'job'
  | 'label'
  | 'cloudstorage'
  | 'user'
  | 'webhook'
  | 'guide';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user of the request (set by the auth hook on every non-public route). */
    principal?: UserRecord;
    /** The key the request authenticated with (Token/Bearer), for logout. */
    principalKey?: string;
  }
  interface FastifyContextConfig {
    /** Reachable without credentials (login, register, health). */
    public?: boolean;
    /** What the `:id` path parameter refers to. */
    resource?: ResourceKind;
  }
}

/**
 * Authenticates every request to a non-public route before its body is read, as CVAT does:
 * `Authorization: Token <key>` (login/register keys), `Bearer <key>` (same keys) or `Basic`; without
 * an Authorization header, the `sessionid` cookie of a login (unsafe methods then need the CSRF header).
 * No credentials → 401 "Authentication credentials were not provided."; bad ones → 401 too.
 */
export function installAuth(app: FastifyInstance, users: UserRepository): void {
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (request.routeOptions.config?.public || !url?.startsWith('/api/')) return;
    await authenticate(users, request, reply);
  });
}

/**
 * Sets `request.principal` from the request's credentials (Token, Bearer, Basic or the session cookie),
 * or throws a coded 401 (403 when a session-cookie request fails the CSRF check).
 */
export async function authenticate(
  users: UserRepository,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const header = request.headers.authorization;
  if (!header) {
    // As DRF's SessionAuthentication: an unknown, ended or expired session is no credential (401 below).
    const user = await sessionUser(users, request);
    if (user) {
      enforceCsrf(request);
      request.principal = user;
      return;
    }
    reply.header('www-authenticate', 'Token');
    throw new AppError('UNAUTHENTICATED');
  }
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'token' || scheme === 'bearer') {
    const user = value ? await users.findByToken(value) : null;
    if (!user) throw new AppError('API_TOKEN_INVALID');
    request.principal = user;
    request.principalKey = value;
    return;
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user =
      colon > 0 ? await users.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : null;
    if (!user) throw new AppError('API_BASIC_AUTH_INVALID');
    request.principal = user;
    return;
  }
  reply.header('www-authenticate', 'Token');
  throw new AppError('UNAUTHENTICATED');
}

/** The active user of the request's `sessionid` cookie, or null (no cookie, ended or expired session). */
export async function sessionUser(
  users: UserRepository,
  request: FastifyRequest,
): Promise<UserRecord | null> {
  const key = readCookie(request, SESSION_COOKIE);
  return key ? users.findBySession(key) : null;
}

/** The acting user of an authenticated route. */
export function actor(request: FastifyRequest): Actor {
  if (!request.principal) throw new AppError('UNAUTHENTICATED');
  return actorOf(request.principal);
}

export function requireAdmin(request: FastifyRequest, action: string): Actor {
  const a = actor(request);
  if (!a.isAdmin) throw new AppError('API_ADMIN_REQUIRED', { action });
  return a;
}
