/**
 * Webhooks end to end: a webhook registered over HTTP, backups done by a real worker process, and a
 * real HTTP receiver that refuses each delivery once (500) so every notification is also a retry.
 */
import { createHmac } from 'node:crypto';
import { type Receiver, startReceiver } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackupApi,
  fileForm,
  type HttpUser,
  openBackupApi,
  settled,
  until,
} from '../backup-http/backup-api.js';
import { createLocalTask, json } from '../backup-http/task-backup.js';

const SECRET = 'e2e-webhook-signing-secret';

interface Notification {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: {
    event: string;
    delivery_id: number;
    webhook_id: number;
    occurred_at: string;
    payload: Record<string, unknown>;
  };
}

describe('webhooks with a real worker and a real receiver', () => {
  let api: BackupApi;
  let alice: HttpUser;
  let receiver: Receiver;
  let webhookId: number;
  const refusedOnce = new Set<string>();

  beforeAll(async () => {
    receiver = await startReceiver((_n, request) => {
      const delivery = String(request.headers['x-webhook-delivery']);
      if (refusedOnce.has(delivery)) return { status: 200, body: 'ok' };
      refusedOnce.add(delivery);
      return { status: 500, body: 'try again' };
    });
    api = await openBackupApi({
      workerEnv: (base) => ({ PUBLIC_URL: base, WEBHOOK_BACKOFF_MS: '200', WEBHOOK_MAX_ATTEMPTS: '4' }),
    });
    alice = await api.user();
    const webhook = await json(
      await alice.call('/api/webhooks', {
        method: 'POST',
        json: {
          target_url: receiver.url,
          type: 'user',
          events: ['backup:finished', 'backup:failed'],
          secret: SECRET,
        },
      }),
      201,
    );
    webhookId = webhook.id as number;
  });
  afterAll(async () => {
    await api?.close();
    await receiver?.close();
  });

  /** The accepted (200) notification of one event, after its refused first attempt. */
  const notified = (event: string) =>
    until(`${event} notification`, async () => {
      const attempts = receiver.received.filter((r) => r.headers['x-webhook-event'] === event);
      if (attempts.length < 2) return undefined;
      return attempts.map(
        (r): Notification => ({ headers: r.headers, raw: r.body, body: JSON.parse(r.body) }),
      );
    });

  it('tells the receiver, signed, when an export fails and when one finishes, each retried after a 500', async () => {
    // Fails in the worker: the task is gone by the time the worker takes the job.
    const doomed = await createLocalTask(alice, 'deleted before its backup');
    const failing = await json(
      await alice.call(`/api/tasks/${doomed}/backup/export`, { method: 'POST' }),
      202,
    );
    await json(await alice.call(`/api/tasks/${doomed}`, { method: 'DELETE' }), 204);
    await api.worker.start();
    const failed = await settled(alice, failing.rq_id as string);
    expect(failed).toMatchObject({ status: 'failed' });

    const task = await createLocalTask(alice, 'webhook task');
    const started = await json(await alice.call(`/api/tasks/${task}/backup/export`, { method: 'POST' }), 202);
    const finished = await settled(alice, started.rq_id as string);
    expect(finished).toMatchObject({ status: 'finished' });

    for (const [event, request] of [
      ['backup:failed', failed],
      ['backup:finished', finished],
    ] as const) {
      const [refused, accepted] = await notified(event);
      // The same delivery, sent again, signed over its raw body with the webhook's secret.
      expect(accepted!.raw).toBe(refused!.raw);
      expect(accepted!.headers['x-signature-256']).toBe(
        `sha256=${createHmac('sha256', SECRET).update(accepted!.raw).digest('hex')}`,
      );
      expect(accepted!.headers['content-type']).toBe('application/json');
      expect(accepted!.body).toMatchObject({ event, webhook_id: webhookId });
      // The payload is the request object as GET /api/requests/{id} shows it; the finish time is the
      // worker's clock just before the job ended, so it may lead BullMQ's by a moment.
      const { finished_date, expiry_date, ...rest } = request;
      expect(accepted!.body.payload).toMatchObject(rest);
      const lead =
        Date.parse(finished_date as string) - Date.parse(accepted!.body.payload.finished_date as string);
      expect(Math.abs(lead)).toBeLessThan(5000);
    }
    const failure = (await notified('backup:failed'))[1]!.body.payload;
    expect(failure.message).toMatch(/^BACKUP_RESOURCE_NOT_FOUND: /);
    const success = (await notified('backup:finished'))[1]!.body.payload;
    expect(success.result_url).toBe(finished.result_url);
    expect(success.result_url).toMatch(/\/backup\/download\?rq_id=/);

    // The worker logs an attempt once the receiver has answered, a moment after the receiver saw it.
    const deliveries = await until('deliveries logged', async () => {
      const log = await json(await alice.call(`/api/webhooks/${webhookId}/deliveries`), 200);
      const results = log.results as Array<Record<string, unknown>>;
      return results.every((d) => d.status !== 'pending') ? results : undefined;
    });
    expect(deliveries.map((d) => d.event)).toEqual(['backup:finished', 'backup:failed']);
    for (const d of deliveries)
      expect(d).toMatchObject({
        status: 'delivered',
        attempts: 2,
        status_code: 200,
        response: { status_code: 200, body: 'ok' },
      });
    const webhook = await json(await alice.call(`/api/webhooks/${webhookId}`), 200);
    expect(webhook).toMatchObject({ last_status: 200, last_delivery_date: expect.any(String) });
  });

  it('pings the receiver and redelivers a delivery on request', async () => {
    const ping = await json(await alice.call(`/api/webhooks/${webhookId}/ping`, { method: 'POST' }), 201);
    const delivered = await until('ping delivered', async () => {
      const log = await json(await alice.call(`/api/webhooks/${webhookId}/deliveries`), 200);
      const d = (log.results as Array<Record<string, unknown>>).find((r) => r.id === ping.id);
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(delivered).toMatchObject({ event: 'ping', attempts: 2 });
    const redo = await json(
      await alice.call(`/api/webhooks/${webhookId}/deliveries/${ping.id}/redelivery`, { method: 'POST' }),
      201,
    );
    const got = await until('redelivery received', async () =>
      receiver.received.find((r) => r.headers['x-webhook-delivery'] === String(redo.id)),
    );
    expect(JSON.parse(got.body)).toMatchObject({ event: 'ping', delivery_id: redo.id });
  });

  it('tells the receiver when a restore finishes, with the new task id', async () => {
    await json(
      await alice.call(`/api/webhooks/${webhookId}`, {
        method: 'PATCH',
        json: { events: ['backup:finished', 'backup:failed', 'restore:finished'] },
      }),
      200,
    );
    const task = await createLocalTask(alice, 'to restore');
    const exported = await json(
      await alice.call(`/api/tasks/${task}/backup/export`, { method: 'POST' }),
      202,
    );
    const backup = await settled(alice, exported.rq_id as string);
    const archive = Buffer.from(await (await alice.call(backup.result_url as string)).arrayBuffer());
    const started = await json(
      await alice.call('/api/tasks/backup', { method: 'POST', body: fileForm('task_file', archive) }),
      202,
    );
    const restored = await settled(alice, started.rq_id as string);
    expect(restored).toMatchObject({ status: 'finished', result_id: expect.any(Number) });
    const [, accepted] = await notified('restore:finished');
    expect(accepted!.body.payload).toMatchObject({
      id: started.rq_id,
      status: 'finished',
      result_id: restored.result_id,
      operation: { type: 'import:backup', target: 'task' },
    });
  });
});
