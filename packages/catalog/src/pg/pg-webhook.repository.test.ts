import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodeOf,
  openTestCatalog,
  seedActor,
  seedOwnerOtherAdmin,
  type TestCatalog,
} from '../../test/catalog-fixture.js';
import type { Actor } from '../repositories/common.types.js';
import type { NewWebhook } from '../repositories/webhook.repository.js';

let t: TestCatalog;
let owner: Actor;
let other: Actor;
let admin: Actor;
beforeAll(async () => {
  t = await openTestCatalog();
  [owner, other, admin] = await seedOwnerOtherAdmin(t.catalog);
});
afterAll(async () => {
  await t.close();
});

/** A backup schedule row (migration 0005) owned by `actor`. */
async function seedSchedule(actor: Actor): Promise<number> {
  const { rows } = await t.pool.query<{ id: number }>(
    `INSERT INTO backup_schedules (owner_id, name, every_seconds, scope, target_location, name_template)
     VALUES ($1, 'nightly', 86400, '{"type":"all_projects"}', 'local', '{name}') RETURNING id`,
    [actor.id],
  );
  return rows[0]!.id;
}

const hook: NewWebhook = {
  target_url: 'https://example.test/hook',
  type: 'user',
  events: ['backup:finished', 'backup:failed'],
  secret: 'VERY-SECRET-SIGNING-KEY',
};

const delivery = (webhookId: number, eventId: string) => ({
  webhookId,
  event: 'backup:finished',
  eventId,
  occurredAt: new Date('2026-11-28T10:00:00Z'),
  payload: { id: 'rq', status: 'finished' },
});

describe('webhooks', () => {
  it('creates a webhook in CVAT’s read shape, the secret encrypted at rest and never read back', async () => {
    const w = await t.catalog.webhooks.create(owner, hook);
    expect(w).toEqual({
      id: expect.any(Number),
      target_url: 'https://example.test/hook',
      description: '',
      type: 'user',
      schedule_id: null,
      events: ['backup:finished', 'backup:failed'],
      is_active: true,
      enable_ssl: true,
      content_type: 'application/json',
      owner: { id: owner.id, username: expect.any(String) },
      created_date: expect.any(Date),
      updated_date: expect.any(Date),
      last_status: null,
      last_delivery_date: null,
    });
    const read = [w, await t.catalog.webhooks.get(owner, w.id), await t.catalog.webhooks.list(owner)];
    expect(JSON.stringify(read)).not.toMatch(/VERY-SECRET/);
    const { rows } = await t.pool.query<{ secret: Buffer }>('SELECT secret FROM webhooks WHERE id = $1', [
      w.id,
    ]);
    expect(rows[0]!.secret.toString('latin1')).not.toMatch(/VERY-SECRET/);
    expect((await t.catalog.webhooks.target(w.id))!.secret).toBe('VERY-SECRET-SIGNING-KEY');
  });

  it('shows a webhook to its owner and to admins only; others can neither change nor delete it', async () => {
    const w = await t.catalog.webhooks.create(owner, hook);
    expect(await t.catalog.webhooks.get(other, w.id)).toBeNull();
    expect((await t.catalog.webhooks.get(admin, w.id))?.id).toBe(w.id);
    expect((await t.catalog.webhooks.list(other)).results.map((r) => r.id)).not.toContain(w.id);
    expect((await t.catalog.webhooks.list(admin, { pageSize: 'all' })).results.map((r) => r.id)).toContain(
      w.id,
    );
    expect(await t.catalog.webhooks.update(other, w.id, { is_active: false })).toBeNull();
    expect(await t.catalog.webhooks.delete(other, w.id)).toBe(false);
    expect((await t.catalog.webhooks.get(owner, w.id))?.is_active).toBe(true);
  });

  it('updates fields, replaces and removes the secret', async () => {
    const w = await t.catalog.webhooks.create(owner, hook);
    const updated = await t.catalog.webhooks.update(owner, w.id, {
      description: 'ops',
      events: ['restore:failed'],
      enable_ssl: false,
      secret: 'another-secret',
    });
    expect(updated).toMatchObject({ description: 'ops', events: ['restore:failed'], enable_ssl: false });
    expect((await t.catalog.webhooks.target(w.id))!.secret).toBe('another-secret');
    await t.catalog.webhooks.update(owner, w.id, { secret: null });
    expect((await t.catalog.webhooks.target(w.id))!.secret).toBeNull();
  });

  it('refuses a secret moved onto another row', async () => {
    const a = await t.catalog.webhooks.create(owner, hook);
    const b = await t.catalog.webhooks.create(owner, { ...hook, secret: 'b-secret' });
    await t.pool.query(
      'UPDATE webhooks SET secret = (SELECT secret FROM webhooks WHERE id = $1) WHERE id = $2',
      [a.id, b.id],
    );
    expect(await errorCodeOf(t.catalog.webhooks.target(b.id))).toBe('WEBHOOK_SECRET_UNREADABLE');
  });

  it('refuses a schedule webhook without a schedule of the owner', async () => {
    expect(await errorCodeOf(t.catalog.webhooks.create(owner, { ...hook, type: 'schedule' }))).toBe(
      'WEBHOOK_SCHEDULE_REQUIRED',
    );
    expect(
      await errorCodeOf(t.catalog.webhooks.create(owner, { ...hook, type: 'schedule', schedule_id: 999999 })),
    ).toBe('WEBHOOK_SCHEDULE_NOT_FOUND');
  });

  it('matches active webhooks of the user and of the schedule that listen to the event', async () => {
    const user = await seedActor(t.catalog);
    const listening = await t.catalog.webhooks.create(user, hook);
    await t.catalog.webhooks.create(user, { ...hook, events: ['restore:finished'] });
    await t.catalog.webhooks.create(user, { ...hook, is_active: false });
    await t.catalog.webhooks.create(other, hook);
    const scheduleId = await seedSchedule(user);
    const scheduled = await t.catalog.webhooks.create(user, {
      ...hook,
      type: 'schedule',
      schedule_id: scheduleId,
    });
    expect(scheduled).toMatchObject({ type: 'schedule', schedule_id: scheduleId });
    expect(
      await errorCodeOf(
        t.catalog.webhooks.create(other, { ...hook, type: 'schedule', schedule_id: scheduleId }),
      ),
    ).toBe('WEBHOOK_SCHEDULE_NOT_FOUND');
    const ids = async (key: { event: string; userId: number; scheduleId?: number }) =>
      (await t.catalog.webhooks.matching(key)).map((w) => w.id);
    expect(await ids({ event: 'backup:finished', userId: user.id })).toEqual([listening.id]);
    expect(await ids({ event: 'backup:finished', userId: user.id, scheduleId })).toEqual([
      listening.id,
      scheduled.id,
    ]);
    expect(await ids({ event: 'schedule_run:failed', userId: user.id, scheduleId })).toEqual([]);
    await t.pool.query('DELETE FROM backup_schedules WHERE id = $1', [scheduleId]);
    expect(await t.catalog.webhooks.get(user, scheduled.id)).toBeNull();
  });
});

describe('deliveries', () => {
  it('records a delivery once per event, and a redelivery as a new row', async () => {
    const w = await t.catalog.webhooks.create(owner, hook);
    const first = await t.catalog.webhooks.createDelivery(delivery(w.id, 'ev-1'), 100);
    const again = await t.catalog.webhooks.createDelivery(delivery(w.id, 'ev-1'), 100);
    expect(first.created).toBe(true);
    expect(again).toEqual({ delivery: first.delivery, created: false });
    expect(first.delivery).toMatchObject({
      webhook_id: w.id,
      event: 'backup:finished',
      event_id: 'ev-1',
      status: 'pending',
      attempts: 0,
      payload: { id: 'rq', status: 'finished' },
      redelivery_of: null,
    });
    const redo = await t.catalog.webhooks.createDelivery(
      { ...delivery(w.id, 'ev-1'), redeliveryOf: first.delivery.id },
      100,
    );
    expect(redo.created).toBe(true);
    expect(redo.delivery.id).not.toBe(first.delivery.id);
    expect(redo.delivery.redelivery_of).toBe(first.delivery.id);
  });

  it('counts attempts, keeps the outcome, and shows the latest status on the webhook', async () => {
    const w = await t.catalog.webhooks.create(owner, hook);
    const { delivery: d } = await t.catalog.webhooks.createDelivery(delivery(w.id, 'ev-2'), 100);
    await t.catalog.webhooks.recordAttempt(d.id, {
      status: 'pending',
      statusCode: 500,
      responseBody: 'boom',
      error: 'HTTP 500',
      durationMs: 12.4,
    });
    const done = await t.catalog.webhooks.recordAttempt(d.id, {
      status: 'delivered',
      statusCode: 200,
      responseBody: 'ok',
      error: null,
      durationMs: 3,
    });
    expect(done).toMatchObject({ attempts: 2, status: 'delivered', status_code: 200, response_body: 'ok' });
    expect(await t.catalog.webhooks.getDelivery(w.id, d.id)).toEqual(done);
    expect(await t.catalog.webhooks.getDelivery(w.id + 1000, d.id)).toBeNull();
    const read = await t.catalog.webhooks.get(owner, w.id);
    expect(read).toMatchObject({ last_status: 200, last_delivery_date: expect.any(Date) });
  });

  it('lists newest first, paginated, and keeps only the newest finished deliveries', async () => {
    const w = await t.catalog.webhooks.create(owner, hook);
    const made: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { delivery: d } = await t.catalog.webhooks.createDelivery(delivery(w.id, `keep-${i}`), 3);
      made.push(d.id);
      if (i < 4)
        await t.catalog.webhooks.recordAttempt(d.id, {
          status: 'delivered',
          statusCode: 204,
          responseBody: '',
          error: null,
          durationMs: 1,
        });
    }
    const page = await t.catalog.webhooks.listDeliveries(w.id, { pageSize: 2 });
    expect(page.count).toBe(3);
    expect(page.results.map((d) => d.id)).toEqual([made[4], made[3]]);
    const second = await t.catalog.webhooks.listDeliveries(w.id, { pageSize: 2, page: 2 });
    expect(second.results.map((d) => d.id)).toEqual([made[2]]);
  });

  it('never prunes a pending delivery, and sweeps finished ones by age', async () => {
    const w = await t.catalog.webhooks.create(owner, hook);
    const { delivery: pending } = await t.catalog.webhooks.createDelivery(delivery(w.id, 'p-0'), 1);
    for (let i = 1; i < 4; i++) await t.catalog.webhooks.createDelivery(delivery(w.id, `p-${i}`), 1);
    expect(await t.catalog.webhooks.getDelivery(w.id, pending.id)).not.toBeNull();
    await t.catalog.webhooks.recordAttempt(pending.id, {
      status: 'failed',
      statusCode: 404,
      responseBody: null,
      error: 'HTTP 404',
      durationMs: 1,
    });
    await t.pool.query(
      "UPDATE webhook_deliveries SET updated_date = now() - interval '2 days' WHERE id = $1",
      [pending.id],
    );
    expect(await t.catalog.webhooks.sweepDeliveries(24 * 3600_000)).toBeGreaterThanOrEqual(1);
    expect(await t.catalog.webhooks.getDelivery(w.id, pending.id)).toBeNull();
    expect((await t.catalog.webhooks.listDeliveries(w.id)).count).toBe(3);
  });

  it('abandons a pending delivery without counting an attempt, and only a pending one', async () => {
    const w = await t.catalog.webhooks.create(owner, hook);
    const { delivery: d } = await t.catalog.webhooks.createDelivery(delivery(w.id, 'abandon'));
    expect(await t.catalog.webhooks.abandonDelivery(d.id, 'deactivated')).toBe(true);
    expect(await t.catalog.webhooks.getDelivery(w.id, d.id)).toMatchObject({
      status: 'failed',
      attempts: 0,
      error: 'deactivated',
    });
    expect(await t.catalog.webhooks.abandonDelivery(d.id, 'again')).toBe(false);
  });

  it('removes the deliveries with their webhook', async () => {
    const w = await t.catalog.webhooks.create(owner, hook);
    const { delivery: d } = await t.catalog.webhooks.createDelivery(delivery(w.id, 'gone'), 10);
    expect(await t.catalog.webhooks.delete(owner, w.id)).toBe(true);
    expect(await t.catalog.webhooks.getDelivery(w.id, d.id)).toBeNull();
    expect(
      await t.catalog.webhooks.recordAttempt(d.id, {
        status: 'delivered',
        statusCode: 200,
        responseBody: '',
        error: null,
        durationMs: 1,
      }),
    ).toBeNull();
  });
});
