import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';

describe('user management', () => {
  let api: TestApi;
  let admin: TestUser;
  let alice: TestUser;
  beforeAll(async () => {
    api = await openTestApi();
    [admin, alice] = await Promise.all([api.user({ admin: true }), api.user()]);
  });
  afterAll(async () => api?.close());

  it('lists everybody for admins and only oneself for others', async () => {
    const all = (await admin.call({ method: 'GET', url: '/api/users?page_size=all' })).json();
    expect(all.results.map((u: { id: number }) => u.id).sort()).toEqual([admin.id, alice.id].sort());
    const own = (await alice.call({ method: 'GET', url: '/api/users' })).json();
    expect(own.results.map((u: { id: number }) => u.id)).toEqual([alice.id]);
    expect(own.results[0]).toMatchObject({ username: alice.username, is_superuser: false, groups: ['user'] });
    expect(own.results[0]).not.toHaveProperty('password');
  });

  it('lets admins change and delete users; others may not, even themselves', async () => {
    const bob = await api.user();
    const patched = await admin.call({
      method: 'PATCH',
      url: `/api/users/${bob.id}`,
      payload: { first_name: 'Bob', is_active: true },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().first_name).toBe('Bob');
    const self = await bob.call({
      method: 'PATCH',
      url: `/api/users/${bob.id}`,
      payload: { is_superuser: true },
    });
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('API_ADMIN_REQUIRED');
    expect((await bob.call({ method: 'GET', url: `/api/users/${bob.id}` })).statusCode).toBe(200);
    const bad = await admin.call({
      method: 'PATCH',
      url: `/api/users/${bob.id}`,
      payload: { email: 'not-an-email' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toHaveProperty('email');
    const deactivated = await admin.call({
      method: 'PATCH',
      url: `/api/users/${bob.id}`,
      payload: { is_active: false },
    });
    expect(deactivated.json().is_active).toBe(false);
    expect((await bob.call({ method: 'GET', url: '/api/users/self' })).statusCode).toBe(401);
    expect((await admin.call({ method: 'DELETE', url: `/api/users/${bob.id}` })).statusCode).toBe(204);
    expect((await admin.call({ method: 'GET', url: `/api/users/${bob.id}` })).statusCode).toBe(404);
    expect((await admin.call({ method: 'DELETE', url: '/api/users/999999' })).statusCode).toBe(404);
  });

  it('changing a password revokes the user’s keys', async () => {
    const carol = await api.user();
    await admin.call({
      method: 'PATCH',
      url: `/api/users/${carol.id}`,
      payload: { password: 'a-new-password-1' },
    });
    expect((await carol.call({ method: 'GET', url: '/api/users/self' })).statusCode).toBe(401);
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: carol.username, password: 'a-new-password-1' },
    });
    expect(login.statusCode).toBe(200);
  });
});
