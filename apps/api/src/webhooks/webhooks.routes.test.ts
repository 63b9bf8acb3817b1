import { QUEUE_NAMES } from '@cvat-backup/queue';
import { testServices } from '@cvat-backup/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';

describe('/api/webhooks', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  const body = (overrides: object = {}) => ({
    target_url: 'https://hooks.example.test/cvb',
    description: 'ops channel',
    events: ['backup:finished', 'backup:failed'],
    secret: 'TOP-SECRET-HMAC-KEY',
    ...overrides,
  });
  const create = async (user: TestUser, overrides: object = {}) => {
    const res = await user.call({ method: 'POST', url: '/api/webhooks', payload: body(overrides) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };

  beforeAll(async () => {
    api = await openTestApi();
    [alice, bob, admin] = await Promise.all([api.user(), api.user(), api.user({ admin: true })]);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates a webhook in CVAT’s shape; the secret is write-only', async () => {
    const res = await alice.call({ method: 'POST', url: '/api/webhooks', payload: body() });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(Number),
      target_url: 'https://hooks.example.test/cvb',
      description: 'ops channel',
      type: 'user',
      schedule_id: null,
      events: ['backup:finished', 'backup:failed'],
      is_active: true,
      enable_ssl: true,
      content_type: 'application/json',
      owner: { id: alice.id, username: alice.username },
      created_date: expect.any(String),
      updated_date: expect.any(String),
      last_status: null,
      last_delivery_date: null,
    });
    const id = res.json().id;
    const reads = await Promise.all([
      alice.call({ method: 'GET', url: `/api/webhooks/${id}` }),
      alice.call({ method: 'GET', url: '/api/webhooks' }),
      alice.call({ method: 'PATCH', url: `/api/webhooks/${id}`, payload: { secret: 'NEW-SECRET-VALUE' } }),
    ]);
    for (const r of [res, ...reads]) expect(r.body).not.toMatch(/TOP-SECRET|NEW-SECRET|"secret"/);
  });

  it('refuses bad input with a coded 400 naming the field, and writes nothing', async () => {
    const before = (await alice.call({ method: 'GET', url: '/api/webhooks' })).json().count;
    const cases: Array<[object, string]> = [
      [{ target_url: 'ftp://example.test/x' }, 'target_url'],
      [{ target_url: 'not a url' }, 'target_url'],
      [{ target_url: 'https://user:pass@example.test/x' }, 'target_url'],
      [{ events: [] }, 'events'],
      [{ events: ['backup:finished', 'task:created'] }, 'events'],
    ];
    for (const [overrides, field] of cases) {
      const res = await alice.call({ method: 'POST', url: '/api/webhooks', payload: body(overrides) });
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(Object.keys(res.json()), JSON.stringify(overrides)).toEqual([field]);
    }
    const schedule = await alice.call({
      method: 'POST',
      url: '/api/webhooks',
      payload: body({ type: 'schedule' }),
    });
    expect(schedule.json()).toMatchObject({ code: 'WEBHOOK_SCHEDULE_REQUIRED' });
    const notMine = await alice.call({
      method: 'POST',
      url: '/api/webhooks',
      payload: body({ type: 'schedule', schedule_id: 987654 }),
    });
    expect(notMine.statusCode).toBe(400);
    expect(notMine.json()).toMatchObject({ code: 'WEBHOOK_SCHEDULE_NOT_FOUND' });
    expect((await alice.call({ method: 'GET', url: '/api/webhooks' })).json().count).toBe(before);
  });

  it('shows webhooks to their owner and admins only', async () => {
    const w = await create(alice);
    for (const method of ['GET', 'PATCH', 'DELETE'] as const)
      expect((await bob.call({ method, url: `/api/webhooks/${w.id}`, payload: {} })).statusCode).toBe(404);
    expect((await bob.call({ method: 'POST', url: `/api/webhooks/${w.id}/ping` })).statusCode).toBe(404);
    const bobs = (await bob.call({ method: 'GET', url: '/api/webhooks?page_size=all' })).json();
    expect(bobs.results.map((r: { id: number }) => r.id)).not.toContain(w.id);
    expect((await admin.call({ method: 'GET', url: `/api/webhooks/${w.id}` })).statusCode).toBe(200);
  });

  it('paginates CVAT-style and filters', async () => {
    const carol = await api.user();
    for (let i = 0; i < 3; i++) await create(carol, { description: `hook ${i}` });
    const page = (await carol.call({ method: 'GET', url: '/api/webhooks?page_size=2' })).json();
    expect(page.count).toBe(3);
    expect(page.results).toHaveLength(2);
    expect(page.next).toMatch(/page=2/);
    const inactive = await create(carol, { is_active: false });
    const filtered = (await carol.call({ method: 'GET', url: '/api/webhooks?is_active=false' })).json();
    expect(filtered.results.map((r: { id: number }) => r.id)).toEqual([inactive.id]);
  });

  it('updates and deletes', async () => {
    const w = await create(alice);
    const patched = await alice.call({
      method: 'PATCH',
      url: `/api/webhooks/${w.id}`,
      payload: {
        events: ['restore:failed'],
        is_active: false,
        enable_ssl: false,
        target_url: 'http://10.0.0.5:8080/x',
      },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      events: ['restore:failed'],
      is_active: false,
      enable_ssl: false,
      target_url: 'http://10.0.0.5:8080/x',
      type: 'user',
    });
    const bad = await alice.call({ method: 'PATCH', url: `/api/webhooks/${w.id}`, payload: { events: [] } });
    expect(bad.statusCode).toBe(400);
    expect((await alice.call({ method: 'DELETE', url: `/api/webhooks/${w.id}` })).statusCode).toBe(204);
    expect((await alice.call({ method: 'GET', url: `/api/webhooks/${w.id}` })).statusCode).toBe(404);
  });

  it('queues a ping, lists it in the delivery log, and redelivers it as a new delivery', async () => {
    const w = await create(alice);
    const ping = await alice.call({ method: 'POST', url: `/api/webhooks/${w.id}/ping` });
    expect(ping.statusCode).toBe(201);
    const delivery = ping.json();
    expect(delivery).toMatchObject({
      webhook_id: w.id,
      event: 'ping',
      status: 'pending',
      attempts: 0,
      status_code: null,
      response: null,
      error: null,
      redelivery_of: null,
      request: {
        headers: {
          'Content-Type': 'application/json',
          'X-Webhook-Event': 'ping',
          'X-Webhook-Delivery': String(delivery.id),
        },
        body: {
          event: 'ping',
          delivery_id: delivery.id,
          webhook_id: w.id,
          payload: { webhook: { id: w.id } },
        },
      },
    });
    expect(JSON.stringify(delivery)).not.toMatch(/TOP-SECRET|X-Signature/);
    // The delivery job waits on the webhook queue for a worker.
    const connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.webhook, { connection, prefix: api.queuePrefix });
    try {
      const job = await queue.getJob(`delivery-${delivery.id}`);
      expect(job?.data).toEqual({ webhookId: w.id, deliveryId: delivery.id });
    } finally {
      await queue.close();
      await connection.quit();
    }

    const redo = await alice.call({
      method: 'POST',
      url: `/api/webhooks/${w.id}/deliveries/${delivery.id}/redelivery`,
    });
    expect(redo.statusCode).toBe(201);
    expect(redo.json()).toMatchObject({
      event: 'ping',
      redelivery_of: delivery.id,
      event_id: delivery.event_id,
    });
    const log = (await alice.call({ method: 'GET', url: `/api/webhooks/${w.id}/deliveries` })).json();
    expect(log.count).toBe(2);
    expect(log.results.map((d: { id: number }) => d.id)).toEqual([redo.json().id, delivery.id]);

    for (const bad of ['999999', 'abc', '0'])
      expect(
        (
          await alice.call({ method: 'POST', url: `/api/webhooks/${w.id}/deliveries/${bad}/redelivery` })
        ).json(),
      ).toMatchObject({ code: 'WEBHOOK_DELIVERY_NOT_FOUND' });
    expect((await bob.call({ method: 'GET', url: `/api/webhooks/${w.id}/deliveries` })).statusCode).toBe(404);
    expect(
      (await bob.call({ method: 'POST', url: `/api/webhooks/${w.id}/deliveries/${delivery.id}/redelivery` }))
        .statusCode,
    ).toBe(404);
  });
});
