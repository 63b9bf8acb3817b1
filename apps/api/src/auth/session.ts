import type { UserRepository } from '@cvat-backup/catalog';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionUser } from './auth.hook.js';
import { enforceCsrf, newCsrfToken } from './csrf.js';
import { clearSessionCookies, readCookie, SESSION_COOKIE, setSessionCookies } from './session-cookies.js';

/**
 * Starts a browser session after a login: its id is one more key in the token store (PostgreSQL
 * `api_tokens`, which keeps only the key's SHA-256), so it ends exactly as a token is revoked.
 * As Django's `login()` cycles the session key, a session this browser already had ends here.
 */
export async function startSession(
  users: UserRepository,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: number,
): Promise<void> {
  const previous = readCookie(request, SESSION_COOKIE);
  if (previous) await users.revokeToken(previous);
  const key = await users.issueToken(userId);
  setSessionCookies(request, reply, { key, csrfToken: newCsrfToken() });
}

/**
 * Ends the request's session and expires both cookies. A logout by the cookie alone passes the CSRF
 * check first (DRF checks it whenever the session authenticates), so another site cannot log a user out.
 */
export async function endSession(
  users: UserRepository,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const key = readCookie(request, SESSION_COOKIE);
  if (key && !request.headers.authorization && (await sessionUser(users, request))) enforceCsrf(request);
  if (key) await users.revokeToken(key);
  clearSessionCookies(reply);
}
