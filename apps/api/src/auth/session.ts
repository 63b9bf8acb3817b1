import type { UserRepository } from '@cvat-backup/catalog';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionUser } from './auth.hook.js';
import { enforceCsrf, newCsrfToken } from './csrf.js';
import { clearSessionCookies, readCookie, SESSION_COOKIE, setSessionCookies } from './session-cookies.js';

/**
 * Starts a browser session after a login: its id is one more key in the token store (PostgreSQL
 * `api_tokens`, which keeps only the key's SHA-256), with an expiry `maxAgeSeconds` from now, as
 * Django's session row (CVAT saves a session only when it changes, so the expiry is fixed at login
 * and requests do not extend it). As Django's `login()` cycles the session key, a session this browser
 * already had ends here.
 *
 * Expired sessions of everyone are deleted here too: sessions are only created here, so their rows
 * stay bounded by the logins of one session age, at the cost of one indexed DELETE per login and
 * without a sweep in another process. An expired session is refused before it is deleted anyway.
 */
export async function startSession(
  users: UserRepository,
  request: FastifyRequest,
  reply: FastifyReply,
  session: { userId: number; maxAgeSeconds: number },
): Promise<void> {
  const previous = readCookie(request, SESSION_COOKIE);
  if (previous) await users.revokeToken(previous);
  await users.deleteExpiredSessions();
  const key = await users.issueSession(session.userId, session.maxAgeSeconds);
  setSessionCookies(request, reply, { key, csrfToken: newCsrfToken(), maxAgeSeconds: session.maxAgeSeconds });
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
