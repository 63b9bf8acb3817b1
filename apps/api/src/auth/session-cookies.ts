import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser session, in Django's cookies as CVAT sets them: cvat-sdk's `Client.login` asserts both
 * names after `POST /api/auth/login`, and the UI sends the session with every request (backup downloads
 * by plain navigation carry nothing else). CVAT keeps Django's defaults except `CSRF_COOKIE_NAME`, which
 * it sets to the default name anyway.
 */
export const SESSION_COOKIE = 'sessionid';
export const CSRF_COOKIE = 'csrftoken';
/** Django's `CSRF_HEADER_NAME` (`HTTP_X_CSRFTOKEN`), the header cvat-core sends. */
export const CSRF_HEADER = 'x-csrftoken';

/**
 * Django's SESSION_COOKIE_AGE default (two weeks), which CVAT keeps; `SESSION_COOKIE_AGE_SECONDS`
 * changes it as the Django setting would. The session ends on the server at the same time.
 */
export const DEFAULT_SESSION_AGE_SECONDS = 14 * 24 * 3600;
// Django's CSRF_COOKIE_AGE (a year); CVAT does not change it.
const CSRF_MAX_AGE_SECONDS = 364 * 24 * 3600;

/** The value of one cookie of the request's `Cookie` header (the first when repeated). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/**
 * Sets `sessionid` (HttpOnly: scripts never see it) and `csrftoken` (readable, so the UI can echo it in
 * `X-CSRFToken`), both SameSite=Lax on `/`, and Secure when the request came over https (behind a proxy
 * that needs `TRUST_PROXY`, as for every other absolute URL).
 */
export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  session: { key: string; csrfToken: string; maxAgeSeconds: number },
): void {
  const secure = request.protocol === 'https';
  appendSetCookie(reply, [
    cookie(SESSION_COOKIE, session.key, { maxAge: session.maxAgeSeconds, httpOnly: true, secure }),
    cookie(CSRF_COOKIE, session.csrfToken, { maxAge: CSRF_MAX_AGE_SECONDS, httpOnly: false, secure }),
  ]);
}

/** Expires both cookies in the browser (as Django's `delete_cookie`: empty value, Max-Age=0). */
export function clearSessionCookies(reply: FastifyReply): void {
  appendSetCookie(reply, [
    cookie(SESSION_COOKIE, '', { maxAge: 0, httpOnly: true, secure: false }),
    cookie(CSRF_COOKIE, '', { maxAge: 0, httpOnly: false, secure: false }),
  ]);
}

function cookie(
  name: string,
  value: string,
  flags: { maxAge: number; httpOnly: boolean; secure: boolean },
): string {
  const expires = new Date(flags.maxAge > 0 ? Date.now() + flags.maxAge * 1000 : 0).toUTCString();
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Expires=${expires}`,
    `Max-Age=${flags.maxAge}`,
    'Path=/',
    'SameSite=Lax',
    ...(flags.httpOnly ? ['HttpOnly'] : []),
    ...(flags.secure ? ['Secure'] : []),
  ].join('; ');
}

function appendSetCookie(reply: FastifyReply, cookies: string[]): void {
  const existing = reply.getHeader('set-cookie');
  const before = existing === undefined ? [] : [existing].flat().map(String);
  reply.header('set-cookie', [...before, ...cookies]);
}
