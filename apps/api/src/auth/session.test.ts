import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';
import { setSessionCookies } from './session-cookies.js';

/** The `Set-Cookie` lines of a response, by cookie name. */
function setCookies(res: LightMyRequestResponse): Record<string, string> {
  const lines = [res.headers['set-cookie'] ?? []].flat();
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line]));
}

/** A cookie's value as a browser would store it from a `Set-Cookie` line. */
const cookieValue = (line: string | undefined) =>
  decodeURIComponent(line?.split(';')[0]?.split('=')[1] ?? '');

describe('session cookies (CVAT UI and cvat-sdk login)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await openTestApi();
  });
  afterAll(async () => api?.close());

  /** Logs `u` in and returns what a browser would send back: the Cookie header and the CSRF token. */
  const login = async (u: TestUser, cookie?: string) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: u.username, password: u.password },
      ...(cookie ? { headers: { cookie } } : {}),
    });
    expect(res.statusCode).toBe(200);
    const set = setCookies(res);
    const session = cookieValue(set.sessionid);
    const csrf = cookieValue(set.csrftoken);
    return { res, set, session, csrf, cookie: `sessionid=${session}; csrftoken=${csrf}` };
  };

  /** `GET /api/users/self` with these headers only. */
  const self = (headers: Record<string, string>) =>
    api.app.inject({ method: 'GET', url: '/api/users/self', headers });

  it('keeps answering {key} and sets sessionid (HttpOnly) and csrftoken (readable), SameSite=Lax', async () => {
    const u = await api.user();
    const { res, set, session, csrf } = await login(u);
    expect(res.json().key).toMatch(/^[0-9a-f]{40}$/);
    expect(session).toMatch(/^[0-9a-f]{40}$/);
    expect(session).not.toBe(res.json().key);
    expect(csrf).toMatch(/^[0-9a-f]{64}$/);
    expect(set.sessionid).toMatch(/; Max-Age=1209600; Path=\/; SameSite=Lax; HttpOnly$/);
    expect(set.csrftoken).toMatch(/; Max-Age=31449600; Path=\/; SameSite=Lax$/);
    // Plain http here: no Secure flag, or the browser would drop the cookies.
    expect(`${set.sessionid}${set.csrftoken}`).not.toContain('Secure');
  });

  it('marks both cookies Secure when the request came over https', () => {
    const headers: Record<string, unknown> = {};
    const reply = {
      getHeader: (name: string) => headers[name],
      header: (name: string, value: unknown) => {
        headers[name] = value;
      },
    } as unknown as FastifyReply;
    const request = { protocol: 'https' } as FastifyRequest;
    setSessionCookies(request, reply, { key: 'k', csrfToken: 'c', maxAgeSeconds: 60 });
    const lines = headers['set-cookie'] as string[];
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/; Secure$/);
  });

  it('authenticates a GET by the session cookie alone', async () => {
    const u = await api.user();
    const { session } = await login(u);
    const res = await self({ cookie: `sessionid=${session}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: u.id, username: u.username });
  });

  it('refuses an unsafe request by cookie without a matching X-CSRFToken (403), and takes it with one', async () => {
    const u = await api.user();
    const { cookie, csrf, session } = await login(u);
    const create = (headers: Record<string, string>) =>
      api.app.inject({
        method: 'POST',
        url: '/api/projects',
        headers,
        payload: { name: 'by cookie', labels: [{ name: 'car' }] },
      });
    const missing = await create({ cookie });
    expect([missing.statusCode, missing.json()]).toEqual([
      403,
      { detail: 'CSRF Failed: CSRF token missing.', code: 'API_CSRF_FAILED' },
    ]);
    const wrong = await create({ cookie, 'x-csrftoken': `${csrf.slice(1)}0` });
    expect([wrong.statusCode, wrong.json().detail]).toEqual([403, 'CSRF Failed: CSRF token incorrect.']);
    const noCookie = await create({ cookie: `sessionid=${session}`, 'x-csrftoken': csrf });
    expect([noCookie.statusCode, noCookie.json().detail]).toEqual([403, 'CSRF Failed: CSRF cookie not set.']);
    const projects = await u.call({ method: 'GET', url: '/api/projects' });
    expect(projects.json().count).toBe(0);

    const ok = await create({ cookie, 'x-csrftoken': csrf });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().owner).toMatchObject({ id: u.id });
  });

  it('needs no CSRF header with Token, Bearer or Basic, even alongside the cookies (as cvat-sdk sends)', async () => {
    const u = await api.user();
    const { cookie, res } = await login(u);
    const key = res.json().key as string;
    const basic = `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
    for (const authorization of [`Token ${key}`, `Bearer ${key}`, basic]) {
      const created = await api.app.inject({
        method: 'POST',
        url: '/api/projects',
        headers: { authorization, cookie },
        payload: { name: authorization.slice(0, 5), labels: [{ name: 'car' }] },
      });
      expect(created.statusCode, authorization.slice(0, 6)).toBe(201);
    }
  });

  it('answers 401 to an unknown session, as to no credentials', async () => {
    const res = await self({ cookie: `sessionid=${'0'.repeat(40)}; csrftoken=x` });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('logout by cookie needs the CSRF header, then ends the session and expires both cookies', async () => {
    const u = await api.user();
    const { cookie, csrf, res } = await login(u);
    const refused = await api.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'API_CSRF_FAILED']);
    expect((await self({ cookie })).statusCode).toBe(200);

    const out = await api.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, 'x-csrftoken': csrf },
    });
    expect(out.statusCode).toBe(200);
    expect(out.json()).toEqual({ detail: 'Successfully logged out.' });
    const cleared = setCookies(out);
    expect(cleared.sessionid).toMatch(
      /^sessionid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=\//,
    );
    expect(cleared.csrftoken).toMatch(
      /^csrftoken=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=\//,
    );
    expect((await self({ cookie })).statusCode).toBe(401);
    // The key answered by the same login is a separate credential and stays valid.
    expect((await self({ authorization: `Token ${res.json().key}` })).statusCode).toBe(200);
  });

  it('logout with a Token (cvat-sdk sends it with the cookies) ends both the key and the session', async () => {
    const u = await api.user();
    const { cookie, res } = await login(u);
    const key = res.json().key as string;
    const out = await api.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, authorization: `Token ${key}` },
    });
    expect(out.statusCode).toBe(200);
    for (const headers of [{ cookie }, { authorization: `Token ${key}` }] as Record<string, string>[])
      expect((await self(headers)).statusCode).toBe(401);
  });

  it('a new login from the same browser ends its earlier session (Django cycles the session key)', async () => {
    const u = await api.user();
    const first = await login(u);
    const second = await login(u, first.cookie);
    expect(second.session).not.toBe(first.session);
    expect((await self({ cookie: first.cookie })).statusCode).toBe(401);
    expect((await self({ cookie: second.cookie })).statusCode).toBe(200);
  });
});

describe('session expiry (Django SESSION_COOKIE_AGE, fixed at login)', () => {
  const AGE_SECONDS = 2;
  let api: TestApi;
  let pool: pg.Pool;
  beforeAll(async () => {
    api = await openTestApi({ sessionAgeSeconds: AGE_SECONDS });
    pool = new pg.Pool({ connectionString: api.db.url, max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await api?.close();
  });

  const login = async (u: TestUser) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: u.username, password: u.password },
    });
    expect(res.statusCode).toBe(200);
    const line = [res.headers['set-cookie'] ?? []].flat().find((l) => l.startsWith('sessionid='));
    return { line, session: cookieValue(line), key: res.json().key as string };
  };
  const self = (headers: Record<string, string>) =>
    api.app.inject({ method: 'GET', url: '/api/users/self', headers });
  const rowExists = async (key: string) =>
    (await pool.query('SELECT 1 FROM api_tokens WHERE key_hash = sha256(convert_to($1, $2))', [key, 'UTF8']))
      .rowCount === 1;

  it('refuses a session past its age with 401 while API keys live on; the next login deletes its row', async () => {
    const u = await api.user();
    const old = await login(u);
    expect(old.line).toContain(`; Max-Age=${AGE_SECONDS};`);
    // Use does not extend a session (CVAT saves a session only when it changes).
    expect((await self({ cookie: `sessionid=${old.session}` })).statusCode).toBe(200);
    await sleep(AGE_SECONDS * 1000 + 200);

    const expired = await self({ cookie: `sessionid=${old.session}` });
    expect([expired.statusCode, expired.json().code]).toEqual([401, 'UNAUTHENTICATED']);
    // The key of the same login, and the fixture's key, are API keys: the session age does not apply.
    expect((await self({ authorization: `Token ${old.key}` })).statusCode).toBe(200);
    expect((await self({ authorization: `Token ${u.token}` })).statusCode).toBe(200);
    expect(await rowExists(old.session)).toBe(true);

    const fresh = await login(await api.user());
    expect(await rowExists(old.session)).toBe(false);
    expect(await rowExists(old.key)).toBe(true);
    expect((await self({ cookie: `sessionid=${fresh.session}` })).statusCode).toBe(200);
  });

  it('does not take a session key as an API key', async () => {
    const { session } = await login(await api.user());
    const res = await self({ authorization: `Token ${session}` });
    expect([res.statusCode, res.json().code]).toEqual([401, 'API_TOKEN_INVALID']);
  });
});
