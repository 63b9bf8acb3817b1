import { createHmac } from 'node:crypto';
import type { DeliveryRecord, WebhookRepository } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import {
  type DeliveryObservation,
  parsePayload,
  statusClassOf,
  type WebhookDeliveryJob,
  webhookDeliveryBody,
  webhookDeliveryHeaders,
  webhookDeliveryJobSchema,
} from '@cvat-backup/queue';
import type { Job } from 'bullmq';
import { verdictOf } from './delivery-policy.js';
import { postWebhook } from './post-webhook.js';

export interface DeliveryDependencies {
  webhooks: WebhookRepository;
  /** Attempts of one delivery before it is marked failed. */
  maxAttempts: number;
  timeoutMs: number;
  /** Refuse targets on loopback, private and link-local addresses. */
  blockPrivate: boolean;
  /** Told of every attempt that reached the POST (metrics); must not throw. */
  observe?: (attempt: DeliveryObservation) => void;
}

export type DeliveryOutcome =
  | { delivery: DeliveryRecord['status']; statusCode: number | null }
  | { skipped: string };

/** `sha256=<hex HMAC-SHA256 of the raw body>`, GitHub's and CVAT's `X-Signature-256` format. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * One attempt of one delivery: sign, POST, log the attempt on the delivery row. A retryable failure
 * throws (BullMQ retries with the webhook backoff, honouring Retry-After); a final answer, or the last
 * allowed attempt, ends the job with the delivery marked failed. A crash after the POST and before the
 * log line means the receiver may get the same delivery twice: it dedupes on `X-Webhook-Delivery`.
 */
export function deliveryHandler(deps: DeliveryDependencies) {
  return async (job: Job<WebhookDeliveryJob>): Promise<DeliveryOutcome> => {
    const { webhookId, deliveryId } = parsePayload(webhookDeliveryJobSchema, job.data);
    const delivery = await deps.webhooks.getDelivery(webhookId, deliveryId);
    // Deleted with its webhook, or pruned: nothing left to send.
    if (!delivery) return { skipped: 'delivery removed' };
    // A repeated job of a delivery that already ended.
    if (delivery.status !== 'pending') return { skipped: `delivery ${delivery.status}` };
    const target = await deps.webhooks.target(webhookId);
    if (!target) return { skipped: 'webhook removed' };
    // Deactivating a webhook stops what it would still retry; a ping or redelivery was asked for.
    if (!target.is_active && delivery.event !== 'ping' && delivery.redelivery_of === null) {
      await deps.webhooks.abandonDelivery(deliveryId, 'the webhook was deactivated; redeliver to send it');
      return { skipped: 'webhook inactive' };
    }

    const body = JSON.stringify(webhookDeliveryBody(delivery));
    const headers = webhookDeliveryHeaders(delivery);
    if (target.secret) headers['X-Signature-256'] = signature(target.secret, body);
    const result = await postWebhook({
      url: target.target_url,
      headers,
      body,
      timeoutMs: deps.timeoutMs,
      verifyTls: target.enable_ssl,
      blockPrivate: deps.blockPrivate,
    });
    const verdict = result.refused ? 'final' : verdictOf(result.statusCode);
    const last = delivery.attempts + 1 >= deps.maxAttempts;
    const status = verdict === 'delivered' ? 'delivered' : verdict === 'final' || last ? 'failed' : 'pending';
    deps.observe?.({
      statusClass: statusClassOf(result.statusCode, result.refused),
      outcome: status === 'pending' ? 'retry' : status,
      durationSeconds: result.durationMs / 1000,
    });
    const error = result.error ?? (verdict === 'delivered' ? null : `HTTP ${result.statusCode}`);
    await deps.webhooks.recordAttempt(deliveryId, {
      status,
      statusCode: result.statusCode,
      responseBody: result.responseBody,
      error,
      durationMs: result.durationMs,
    });
    if (status !== 'pending') return { delivery: status, statusCode: result.statusCode };
    throw new AppError('WEBHOOK_RECEIVER_UNAVAILABLE', { reason: error, retryAfterMs: result.retryAfterMs });
  };
}
