import type { WebhookRepository } from '@cvat-backup/catalog';
import {
  parsePayload,
  queueWebhookDelivery,
  type WebhookEvent,
  webhookEventSchema,
} from '@cvat-backup/queue';
import type { Job, Queue } from 'bullmq';

export interface EventDependencies {
  webhooks: WebhookRepository;
  /** The webhook queue, where the deliveries go. */
  queue: Queue;
  /** Newest finished deliveries kept per webhook. */
  keepDeliveries: number;
}

/**
 * Fans one event out to the webhooks listening to it: one delivery row and one delivery job per
 * webhook. Both are keyed by the event id, so a repeated event job finds what an earlier attempt made
 * and never delivers twice.
 */
export function eventHandler(deps: EventDependencies) {
  return async (job: Job<WebhookEvent>): Promise<{ deliveries: number }> => {
    const event = parsePayload(webhookEventSchema, job.data);
    const hooks = await deps.webhooks.matching({
      event: event.type,
      userId: event.userId,
      ...(event.scheduleId !== undefined ? { scheduleId: event.scheduleId } : {}),
    });
    for (const hook of hooks) {
      const { delivery } = await deps.webhooks.createDelivery(
        {
          webhookId: hook.id,
          event: event.type,
          eventId: event.eventId,
          occurredAt: new Date(event.occurredAt),
          payload: event.payload,
        },
        deps.keepDeliveries,
      );
      if (delivery.status === 'pending')
        await queueWebhookDelivery(
          deps.queue,
          { webhookId: hook.id, deliveryId: delivery.id },
          `${event.eventId}-w${hook.id}`,
        );
    }
    return { deliveries: hooks.length };
  };
}
