import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DeliveryRecord, migrate, PgCatalog, type WebhookRecord } from '@cvat-backup/catalog';
import { createLogger, readConfig } from '@cvat-backup/common';
import { publishWebhookEvent, QUEUE_NAMES, readJobMetrics, type WebhookEvent } from '@cvat-backup/queue';
import {
  type Answer,
  createTestDatabase,
  deleteRedisKeys,
  type Received,
  type Receiver,
  startReceiver,
  type TestDatabase,
  testServices,
  uniqueName,
} from '@cvat-backup/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookConfigShape } from './webhook-config.js';
import { startWebhookWorker, type WebhookWorker } from './webhook-worker.js';

const SECRET = 'receiver-shared-secret';

let db: TestDatabase;
let pool: pg.Pool;
let catalog: PgCatalog;
let connection: Redis;
let prefix: string;
let worker: WebhookWorker;
let publisher: Queue;
let user: { id: number; isAdmin: boolean };
const receivers: Receiver[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', () => {});
  await migrate(pool);
  catalog = new PgCatalog(pool, { credentialsKey: randomBytes(32) });
  const u = await catalog.users.create({ username: uniqueName('hook'), password: 'secret-pass' });
  user = { id: u.id, isAdmin: false };
  connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
  prefix = uniqueName('wh');
  const config = readConfig(webhookConfigShape, {
    WEBHOOK_MAX_ATTEMPTS: '3',
    WEBHOOK_TIMEOUT_MS: '700',
    WEBHOOK_BACKOFF_MS: '100',
    WEBHOOK_BACKOFF_MAX_MS: '5000',
  });
  worker = await startWebhookWorker({
    catalog,
    config: { ...config, RESULT_TTL_SECONDS: 3600 },
    logger: createLogger({ level: 'silent' }),
    common: { connection, prefix },
    metrics: { redis: connection, prefix },
  });
  publisher = new Queue(QUEUE_NAMES.webhook, { connection, prefix });
});

afterEach(async () => {
  // Every test's webhooks belong to one user: keep a test's events away from the earlier tests' hooks.
  await pool.query('UPDATE webhooks SET is_active = false');
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

afterAll(async () => {
  await worker?.close();
  await publisher?.close();
  await connection?.quit();
  await deleteRedisKeys(prefix);
  await pool?.end();
  await db?.drop();
});

const receiver = async (answer: (n: number, r: Received) => Answer, tls?: { key: string; cert: string }) => {
  const r = await startReceiver(answer, tls);
  receivers.push(r);
  return r;
};

const hook = (url: string, extra: Partial<Parameters<PgCatalog['webhooks']['create']>[1]> = {}) =>
  catalog.webhooks.create(user, {
    target_url: url,
    type: 'user',
    events: ['backup:finished', 'backup:failed'],
    secret: SECRET,
    ...extra,
  });

const event = (overrides: Partial<WebhookEvent> = {}): WebhookEvent => ({
  version: 1,
  eventId: uniqueName('ev'),
  type: 'backup:finished',
  userId: user.id,
  occurredAt: '2026-11-28T10:00:00.000Z',
  payload: { id: 'rq-1', status: 'finished', operation: { type: 'export:backup', target: 'task' } },
  ...overrides,
});

/** The webhook's only delivery once it stopped being pending. */
async function settled(webhook: WebhookRecord, timeoutMs = 30_000): Promise<DeliveryRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await catalog.webhooks.listDeliveries(webhook.id);
    const d = page.results[0];
    if (d && d.status !== 'pending') return d;
    if (Date.now() > deadline) throw new Error(`delivery still ${d?.status ?? 'missing'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hmac = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

describe('webhook deliveries to a real HTTP receiver', () => {
  it('POSTs a JSON body signed with HMAC-SHA256 of the raw body, once per event id', async () => {
    const r = await receiver(() => ({ status: 200, body: 'thanks' }));
    const w = await hook(r.url);
    const e = event();
    await publishWebhookEvent(publisher, e);
    await publishWebhookEvent(publisher, e);
    const [got] = await r.waitFor(1);
    expect(got!.headers['x-signature-256']).toBe(hmac(got!.body));
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-webhook-event']).toBe('backup:finished');
    expect(got!.headers['user-agent']).toMatch(/cvat-backup/);
    const body = JSON.parse(got!.body);
    expect(body).toEqual({
      event: 'backup:finished',
      delivery_id: Number(got!.headers['x-webhook-delivery']),
      webhook_id: w.id,
      occurred_at: e.occurredAt,
      payload: e.payload,
    });
    const d = await settled(w);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1, status_code: 200, response_body: 'thanks' });
    expect((await catalog.webhooks.get(user, w.id))!.last_status).toBe(200);
    // The repeated event was a no-op: still one delivery and one request.
    await new Promise((res) => setTimeout(res, 500));
    expect(r.received).toHaveLength(1);
    expect((await catalog.webhooks.listDeliveries(w.id)).count).toBe(1);
  });

  it('retries a 500 and logs both attempts of the same signed delivery', async () => {
    const r = await receiver((n) => (n === 1 ? { status: 500, body: 'down' } : { status: 204 }));
    const w = await hook(r.url);
    await publishWebhookEvent(publisher, event());
    const [first, second] = await r.waitFor(2);
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['x-webhook-delivery']).toBe(first!.headers['x-webhook-delivery']);
    expect(second!.headers['x-signature-256']).toBe(hmac(second!.body));
    const d = await settled(w);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, status_code: 204, error: null });
  });

  it('counts every delivery attempt in the delivery histogram by status class and outcome', async () => {
    const counts = async () => {
      const { deliveries } = await readJobMetrics(connection, prefix);
      return Object.fromEntries(
        deliveries.map((s) => [`${s.labels['status_class']}/${s.labels['outcome']}`, s.count]),
      );
    };
    // The previous test's last sample may still be on its way: start from a settled reading.
    let before = await counts();
    for (let previous = {}; JSON.stringify(previous) !== JSON.stringify(before); ) {
      previous = before;
      await new Promise((res) => setTimeout(res, 100));
      before = await counts();
    }
    const r = await receiver((n) =>
      n === 1 ? { status: 502 } : n === 2 ? { status: 201 } : { status: 410 },
    );
    const w = await hook(r.url);
    await publishWebhookEvent(publisher, event());
    expect(await settled(w)).toMatchObject({ status: 'delivered', attempts: 2 });
    await catalog.webhooks.update(user, w.id, { is_active: false });
    const gone = await hook((await receiver(() => ({ status: 410 }))).url);
    await publishWebhookEvent(publisher, event());
    expect(await settled(gone)).toMatchObject({ status: 'failed', attempts: 1, status_code: 410 });
    // Recorded after the attempt is logged on its row: wait for the third sample.
    const added = async () => {
      const after = await counts();
      return Object.fromEntries(
        Object.entries(after)
          .map(([k, v]) => [k, v - (before[k] ?? 0)])
          .filter(([, v]) => v !== 0),
      );
    };
    let delta = await added();
    for (let i = 0; i < 50 && Object.keys(delta).length < 3; i++) {
      await new Promise((res) => setTimeout(res, 50));
      delta = await added();
    }
    expect(delta).toEqual({ '5xx/retry': 1, '2xx/delivered': 1, '4xx/failed': 1 });
  });

  it('stops retrying once the webhook is deactivated', async () => {
    let w: Awaited<ReturnType<typeof hook>> | undefined;
    const r = await receiver(() => {
      // Deactivated while its first attempt is answered: the retry must not be sent.
      void catalog.webhooks.update(user, w!.id, { is_active: false });
      return { status: 503, headers: { 'retry-after': '1' } };
    });
    w = await hook(r.url);
    await publishWebhookEvent(publisher, event());
    const d = await settled(w);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, status_code: 503 });
    expect(d.error).toMatch(/deactivated/);
    expect(r.received).toHaveLength(1);
  });

  it('takes a 4xx as final: one attempt, marked failed', async () => {
    const r = await receiver(() => ({ status: 404, body: 'no such hook' }));
    const w = await hook(r.url);
    await publishWebhookEvent(publisher, event());
    const d = await settled(w);
    expect(d).toMatchObject({
      status: 'failed',
      attempts: 1,
      status_code: 404,
      response_body: 'no such hook',
    });
    await new Promise((res) => setTimeout(res, 800));
    expect(r.received).toHaveLength(1);
  });

  it('gives up after the configured attempts when the receiver never answers', async () => {
    const r = await receiver(() => ({ hang: true }));
    const w = await hook(r.url);
    await publishWebhookEvent(publisher, event());
    const d = await settled(w);
    expect(d).toMatchObject({ status: 'failed', attempts: 3, status_code: null });
    expect(d.error).toMatch(/no answer within 700 ms/);
    expect(r.received).toHaveLength(3);
  });

  it('waits as long as a 429 asks with Retry-After', async () => {
    const r = await receiver((n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    const w = await hook(r.url);
    await publishWebhookEvent(publisher, event());
    const [first, second] = await r.waitFor(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1900);
    expect(await settled(w)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('cuts a large answer to 4 KiB in the log', async () => {
    const r = await receiver(() => ({ status: 200, body: 'x'.repeat(100_000) }));
    const w = await hook(r.url);
    await publishWebhookEvent(publisher, event());
    const d = await settled(w);
    expect(d.response_body).toHaveLength(4096);
  });

  it('sends unsigned when the webhook has no secret, and only to active webhooks listening to the event', async () => {
    const r = await receiver(() => ({ status: 200 }));
    const unsigned = await hook(r.url, { secret: null });
    const inactive = await hook(r.url, { is_active: false });
    const deaf = await hook(r.url, { events: ['restore:finished'] });
    await publishWebhookEvent(publisher, event());
    const [got] = await r.waitFor(1);
    expect(got!.headers['x-signature-256']).toBeUndefined();
    expect(JSON.parse(got!.body).webhook_id).toBe(unsigned.id);
    await new Promise((res) => setTimeout(res, 500));
    expect(r.received).toHaveLength(1);
    for (const w of [inactive, deaf]) expect((await catalog.webhooks.listDeliveries(w.id)).count).toBe(0);
  });

  it('sends a schedule’s events to that schedule’s webhooks', async () => {
    const schedule = async () =>
      (
        await pool.query<{ id: number }>(
          `INSERT INTO backup_schedules (owner_id, name, every_seconds, scope, target_location, name_template)
           VALUES ($1, 'nightly', 86400, '{"type":"all_projects"}', 'local', '{name}') RETURNING id`,
          [user.id],
        )
      ).rows[0]!.id;
    const [mine, other] = [await schedule(), await schedule()];
    const r = await receiver(() => ({ status: 200 }));
    const w = await hook(r.url, { type: 'schedule', schedule_id: mine, events: ['schedule_run:finished'] });
    const run = { type: 'schedule_run:finished' as const, payload: { run_id: 1, status: 'finished' } };
    await publishWebhookEvent(publisher, event({ ...run, scheduleId: other }));
    await publishWebhookEvent(publisher, event({ ...run, scheduleId: mine }));
    const [got] = await r.waitFor(1);
    expect(JSON.parse(got!.body)).toMatchObject({ event: 'schedule_run:finished', webhook_id: w.id });
    await new Promise((res) => setTimeout(res, 500));
    expect(r.received).toHaveLength(1);
  });

  it('accepts a self-signed certificate only when enable_ssl is false', async () => {
    const r = await receiver(() => ({ status: 200 }), selfSigned());
    const trusting = await hook(r.url, { enable_ssl: false });
    await publishWebhookEvent(publisher, event());
    expect(await settled(trusting)).toMatchObject({ status: 'delivered', attempts: 1 });
    await catalog.webhooks.update(user, trusting.id, { is_active: false });
    const strict = await hook(r.url);
    await publishWebhookEvent(publisher, event());
    const d = await settled(strict);
    expect(d).toMatchObject({ status: 'failed', attempts: 3, status_code: null });
    expect(d.error).toMatch(/SELF_SIGNED|self.signed|certificate/i);
    expect(r.received).toHaveLength(1);
  });
});

/** A throw-away self-signed certificate for 127.0.0.1 (openssl). */
function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cvb-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
