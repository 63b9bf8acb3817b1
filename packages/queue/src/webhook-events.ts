/**
 * What happened, told to the webhook queue. Producers (the worker after a request or a schedule run
 * ends) publish one event; the webhook worker finds the subscriptions that match and delivers to each.
 * The event id is deterministic, so publishing the same outcome twice (a retried job, a worker that
 * died after publishing) yields one event, not two deliveries.
 */
import type { Queue } from 'bullmq';
import { z } from 'zod';

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

/** Publishes one event on the webhook queue (job name `event`); a repeated eventId is a no-op. */
export async function publishWebhookEvent(queue: Queue, event: WebhookEvent): Promise<void> {
  const data = webhookEventSchema.parse(event);
  await queue.add('event', data, {
    jobId: data.eventId,
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}
