import { AppError, isAppError } from '@cvat-backup/common';
import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from './queue-names.js';
import { publishWebhookEvent, queueWebhookDelivery, type WebhookEvent } from './webhook-events.js';

describe('publishing webhook events on real Redis', () => {
  const prefix = uniqueName('whev');
  let connection: Redis;
  let queue: Queue;

  beforeAll(() => {
    connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAMES.webhook, { connection, prefix });
  });
  afterAll(async () => {
    await queue.close();
    connection.disconnect();
    await deleteRedisKeys(prefix);
  });

  const event = (over: Record<string, unknown> = {}) =>
    ({
      version: 1,
      eventId: uniqueName('ev'),
      type: 'backup:finished',
      userId: 3,
      occurredAt: new Date().toISOString(),
      payload: { id: 'x' },
      ...over,
    }) as WebhookEvent;

  it('queues one event job per event id', async () => {
    const e = event();
    await publishWebhookEvent(queue, e);
    await publishWebhookEvent(queue, e);
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.filter((j) => j.id === e.eventId).map((j) => j.name)).toEqual(['event']);
  });

  it.each([
    ['a colon in the event id (BullMQ ids may not have one)', { eventId: 'a:b' }, 'eventId'],
    ['an unknown type', { type: 'backup:exploded' }, 'type'],
    ['a user id that is not a positive integer', { userId: 0 }, 'userId'],
    ['no payload and a bad date', { payload: undefined, occurredAt: 'yesterday' }, 'occurredAt'],
  ])('refuses an event with %s as WEBHOOK_EVENT_INVALID, queueing nothing', async (_what, over, field) => {
    const bad = event(over);
    const error = await publishWebhookEvent(queue, bad).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isAppError(error, 'WEBHOOK_EVENT_INVALID')).toBe(true);
    expect((error as AppError).status).toBe(500);
    expect((error as AppError).message).toContain(`${field}:`);
    expect(await queue.getJob(String(bad.eventId))).toBeUndefined();
  });

  it('refuses a malformed delivery job with a coded error', async () => {
    await expect(queueWebhookDelivery(queue, { webhookId: -1, deliveryId: 2 })).rejects.toBeInstanceOf(
      AppError,
    );
    expect(await queue.getJob('delivery-2')).toBeUndefined();
  });
});
