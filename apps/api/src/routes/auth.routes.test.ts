import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../../test/api-fixture.js';

describe('auth endpoints', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await openTestApi();
  });
  afterAll(async () => api?.close());

  it('logs in with username or e-mail and answers {key}; the key authenticates as Token and Bearer', async () => {
    const u = await api.user();
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: u.username, password: u.password },
    });
    expect(res.statusCode).toBe(200);
    const { key } = res.json();
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    for (const scheme of ['Token', 'Bearer']) {
      const self = await api.app.inject({
        method: 'GET',
        url: '/api/users/self',
        headers: { authorization: `${scheme} ${key}` },
      });
      expect(self.statusCode).toBe(200);
      expect(self.json()).toMatchObject({ id: u.id, username: u.username, is_superuser: false });
      expect(self.json().url).toBe(`http://localhost/api/users/${u.id}`);
    }
  });

  it('refuses a wrong password with CVAT’s 400 non_field_errors', async () => {
    const u = await api.user();
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: u.username, password: 'wrong' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
  });

  it('validates the login body field by field', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toHaveProperty('password');
  });

  it('accepts Basic credentials and refuses bad ones with 401', async () => {
    const u = await api.user();
    const basic = (user: string, pass: string) =>
      `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const ok = await api.app.inject({
      method: 'GET',
      url: '/api/users/self',
      headers: { authorization: basic(u.username, u.password) },
    });
    expect(ok.statusCode).toBe(200);
    const bad = await api.app.inject({
      method: 'GET',
      url: '/api/users/self',
      headers: { authorization: basic(u.username, 'nope') },
    });
    expect(bad.statusCode).toBe(401);
  });

  it('answers 401 in CVAT’s words without credentials and with an unknown token', async () => {
    const none = await api.app.inject({ method: 'GET', url: '/api/projects' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ detail: 'Authentication credentials were not provided.' });
    const bad = await api.app.inject({
      method: 'GET',
      url: '/api/projects',
      headers: { authorization: 'Token 0000000000000000000000000000000000000000' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ detail: 'Invalid token.', code: 'API_TOKEN_INVALID' });
    const odd = await api.app.inject({
      method: 'GET',
      url: '/api/projects',
      headers: { authorization: 'Digest x' },
    });
    expect(odd.statusCode).toBe(401);
  });

  it('logout revokes the token', async () => {
    const u = await api.user();
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { authorization: `Token ${u.token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ detail: 'Successfully logged out.' });
    expect((await u.call({ method: 'GET', url: '/api/users/self' })).statusCode).toBe(401);
  });

  it('registers with CVAT’s fields and returns a working key', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: {
        username: 'newcomer1',
        email: 'n@example.com',
        password1: 'long-enough-1',
        password2: 'long-enough-1',
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      username: 'newcomer1',
      email: 'n@example.com',
      email_verification_required: false,
    });
    // allauth logs the new account in: the same session cookies as a login.
    const cookies = [res.headers['set-cookie'] ?? []].flat().map((line) => line.slice(0, line.indexOf('=')));
    expect(cookies.sort()).toEqual(['csrftoken', 'sessionid']);
    const self = await api.app.inject({
      method: 'GET',
      url: '/api/users/self',
      headers: { authorization: `Token ${body.key}` },
    });
    expect(self.json().username).toBe('newcomer1');
  });

  it('refuses registration with mismatching passwords, a taken name, or a short username', async () => {
    const mismatch = await api.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { username: 'someone1', password1: 'long-enough-1', password2: 'long-enough-2' },
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json()).toHaveProperty('password2');
    const u = await api.user();
    const taken = await api.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { username: u.username, password1: 'long-enough-1', password2: 'long-enough-1' },
    });
    expect(taken.statusCode).toBe(400);
    expect(taken.json().code).toBe('CATALOG_USERNAME_TAKEN');
    const short = await api.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { username: 'ab', password1: 'long-enough-1', password2: 'long-enough-1' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toHaveProperty('username');
  });
});

describe('registration switched off', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await openTestApi({ registrationEnabled: false });
  });
  afterAll(async () => api?.close());

  it('answers 403 with a message saying so', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { username: 'someone2', password1: 'long-enough-1', password2: 'long-enough-1' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('API_REGISTRATION_DISABLED');
  });
});
