/**
 * What happened, told to the webhook queue. Producers (the worker after a request or a schedule run
 * ends) publish one event; the webhook worker finds the subscriptions that match and delivers to each.
 * The event id is deterministic, so publishing the same outcome twice (a retried job, a worker that
 * died after publishing) yields one event, not two deliveries.
 */
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { parsePayload } from './parse-payload.js';

export const WEBHOOK_EVENT_TYPES = [
  'backup:finished',
  'backup:failed',
  'restore:finished',
  'restore:failed',
  'schedule_run:finished',
  'schedule_run:failed',
] as const;

export const webhookEventSchema = z.object({
  version: z.literal(1),
  /** Stable for one outcome (e.g. the request id and its finish time): a BullMQ job id, so no `:`. */
  eventId: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[^:]+$/),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  /** Owner of the request or schedule: their webhooks are notified. */
  userId: z.number().int().positive(),
  /** Set for schedule runs and for exports a schedule fanned out: that schedule's webhooks too. */
  scheduleId: z.number().int().positive().optional(),
  occurredAt: z.iso.datetime(),
  /** The body's payload: the request object as /api/requests shows it, or the run summary. */
  payload: z.record(z.string(), z.unknown()),
});

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/**
 * Publishes one event on the webhook queue (job name `event`); a repeated eventId is a no-op. A
 * malformed event is refused with WEBHOOK_EVENT_INVALID and nothing is queued.
 */
export async function publishWebhookEvent(queue: Queue, event: WebhookEvent): Promise<void> {
  const data = parsePayload(webhookEventSchema, event, 'WEBHOOK_EVENT_INVALID');
  await queue.add('event', data, {
    jobId: data.eventId,
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}

/** What a delivery may announce: the events above, plus `ping` (a test delivery asked for by the user). */
export type WebhookDeliveryEvent = WebhookEventType | 'ping';

/** A delivery job (name `delivery`): one signed POST of one delivery row, retried by the worker. */
export const webhookDeliveryJobSchema = z.object({
  webhookId: z.number().int().positive(),
  deliveryId: z.number().int().positive(),
});

export type WebhookDeliveryJob = z.infer<typeof webhookDeliveryJobSchema>;

/** The parts of a delivery row its HTTP request is made of. */
export interface DeliveryContent {
  id: number;
  webhook_id: number;
  event: string;
  occurred_at: Date;
  payload: Record<string, unknown>;
}

/** The JSON body of a delivery, built the same way by the worker (to send and sign) and the API (to show). */
export function webhookDeliveryBody(d: DeliveryContent) {
  return {
    event: d.event,
    delivery_id: d.id,
    webhook_id: d.webhook_id,
    occurred_at: d.occurred_at.toISOString(),
    payload: d.payload,
  };
}

/** Headers of a delivery without the signature (which depends on the secret and is added when sent). */
export function webhookDeliveryHeaders(d: DeliveryContent): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'cvat-backup-webhooks/1',
    'X-Webhook-Event': d.event,
    'X-Webhook-Delivery': String(d.id),
  };
}

/**
 * Queues one delivery. The worker decides how often it is tried (WEBHOOK_MAX_ATTEMPTS), so the job
 * allows more attempts than any sane setting and the handler ends it. `jobId` makes a repeat a no-op.
 */
export async function queueWebhookDelivery(
  queue: Queue,
  delivery: WebhookDeliveryJob,
  jobId = `delivery-${delivery.deliveryId}`,
): Promise<void> {
  await queue.add('delivery', parsePayload(webhookDeliveryJobSchema, delivery), {
    jobId,
    attempts: 1000,
    backoff: { type: 'webhook' },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}
