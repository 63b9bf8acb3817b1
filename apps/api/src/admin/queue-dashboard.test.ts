import { createLogger } from '@cvat-backup/common';
import { QUEUE_NAMES } from '@cvat-backup/queue';
import { testServices } from '@cvat-backup/testkit';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';
import { buildApp } from '../app.js';
import { type OpsQueues, openOpsQueues } from './ops-queues.js';
import { QUEUE_DASHBOARD_PATH } from './queue-dashboard.js';

describe('queue dashboard (bull-board) for administrators only', () => {
  let api: TestApi;
  let ops: OpsQueues;
  let app: FastifyInstance;
  let admin: TestUser;
  let user: TestUser;
  const basic = (u: TestUser, password = u.password) =>
    `Basic ${Buffer.from(`${u.username}:${password}`).toString('base64')}`;

  beforeAll(async () => {
    api = await openTestApi();
    ops = openOpsQueues(testServices().redisUrl, api.queuePrefix);
    app = await buildApp({ logger: createLogger({ level: 'silent' }), checks: {}, api: api.services, ops });
    await app.ready();
    admin = await api.user({ admin: true });
    user = await api.user();
  });
  afterAll(async () => {
    await app?.close();
    await ops?.close();
    await api?.close();
  });

  const send = (options: InjectOptions, authorization?: string) =>
    app.inject({ ...options, headers: { ...options.headers, ...(authorization ? { authorization } : {}) } });

  /** Every dashboard route with its parameters filled in (page, JSON API, static files). */
  const dashboardRequests = () => {
    const routes = app.routeTable.filter((r) => r.url.startsWith(QUEUE_DASHBOARD_PATH));
    return routes.map((r) => ({
      method: r.method as 'GET',
      url: r.url.replace(':queueName', QUEUE_NAMES.export).replace(/:\w+/g, 'x').replace('*', 'index.html'),
    }));
  };

  it('answers 401 with a Basic challenge without credentials, on every dashboard route', async () => {
    const requests = dashboardRequests();
    // The page, the queue API (reads and actions) and the static files.
    expect(requests.length).toBeGreaterThan(20);
    expect(requests.map((r) => r.url)).toEqual(
      expect.arrayContaining([QUEUE_DASHBOARD_PATH, `${QUEUE_DASHBOARD_PATH}/api/queues`]),
    );
    for (const request of requests) {
      const res = await send(request);
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    }
    const wrong = await send({ method: 'GET', url: QUEUE_DASHBOARD_PATH }, basic(admin, 'not-the-password'));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('answers 403 to a user who is not an administrator, by token or by password', async () => {
    for (const request of dashboardRequests()) {
      const res = await send(request, `Token ${user.token}`);
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(403);
      expect(res.json()).toMatchObject({ code: 'API_ADMIN_REQUIRED' });
    }
    expect((await send({ method: 'GET', url: QUEUE_DASHBOARD_PATH }, basic(user))).statusCode).toBe(403);
  });

  it('serves the page, its static files and every queue to an administrator', async () => {
    const page = await send({ method: 'GET', url: QUEUE_DASHBOARD_PATH }, basic(admin));
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    // Assets are relative to the page's <base href>, which must be the mount path.
    const base = /<base href="([^"]+)"/.exec(page.body)?.[1];
    expect(base).toBe(`${QUEUE_DASHBOARD_PATH}/`);
    const script = `${base}${/src="([^"]+\.js)"/.exec(page.body)?.[1]}`;
    expect(script).toMatch(new RegExp(`^${QUEUE_DASHBOARD_PATH}/static/.+\\.js$`));
    const asset = await send({ method: 'GET', url: script }, basic(admin));
    expect(asset.statusCode).toBe(200);
    expect((await send({ method: 'GET', url: script })).statusCode).toBe(401);
    expect((await send({ method: 'GET', url: script }, `Token ${user.token}`)).statusCode).toBe(403);

    const queues = await send(
      { method: 'GET', url: `${QUEUE_DASHBOARD_PATH}/api/queues` },
      `Token ${admin.token}`,
    );
    expect(queues.statusCode).toBe(200);
    const body = queues.json() as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('checks a browser’s Basic credentials once (each check is a scrypt), not on every asset and poll', async () => {
    const fresh = await api.user({ admin: true });
    const lastLogin = async () => (await api.catalog.users.get(fresh.id))?.last_login;
    expect(await lastLogin()).toBeNull();
    expect((await send({ method: 'GET', url: QUEUE_DASHBOARD_PATH }, basic(fresh))).statusCode).toBe(200);
    const first = await lastLogin();
    expect(first).toBeInstanceOf(Date);
    const poll = { method: 'GET' as const, url: `${QUEUE_DASHBOARD_PATH}/api/queues` };
    expect((await send(poll, basic(fresh))).statusCode).toBe(200);
    // A password check would have stamped last_login again.
    expect(await lastLogin()).toEqual(first);
    // A wrong password is never taken for the cached right one.
    expect((await send(poll, basic(fresh, 'wrong-pass-1'))).statusCode).toBe(401);
  });

  it('is read-only by default: an action on a queue is refused and changes nothing', async () => {
    const res = await send(
      { method: 'PUT', url: `${QUEUE_DASHBOARD_PATH}/api/queues/${QUEUE_NAMES.export}/pause` },
      basic(admin),
    );
    expect(res.statusCode).toBe(405);
    const exportQueue = ops.queues.find((q) => q.name === QUEUE_NAMES.export)!;
    expect(await exportQueue.isPaused()).toBe(false);
  });

  it('leaves the dashboard out of the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/schema' })).json() as { paths: object };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/admin') || p === '/metrics')).toEqual([]);
  });
});
