import type { DeliveryRecord, WebhookRecord } from '@cvat-backup/catalog';
import { webhookDeliveryBody, webhookDeliveryHeaders } from '@cvat-backup/queue';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** CVAT's webhook read shape; the record holds no secret, so none can leak from here. */
export function serializeWebhook(w: WebhookRecord) {
  return {
    id: w.id,
    target_url: w.target_url,
    description: w.description,
    type: w.type,
    schedule_id: w.schedule_id,
    events: w.events,
    is_active: w.is_active,
    enable_ssl: w.enable_ssl,
    content_type: w.content_type,
    owner: w.owner,
    created_date: iso(w.created_date),
    updated_date: iso(w.updated_date),
    last_status: w.last_status,
    last_delivery_date: iso(w.last_delivery_date),
  };
}

/**
 * One delivery as its log shows it: the request as sent (headers without the signature, which is
 * derived from the secret; the body exactly as signed), the receiver's answer cut to 4 KiB.
 */
export function serializeDelivery(d: DeliveryRecord) {
  return {
    id: d.id,
    webhook_id: d.webhook_id,
    event: d.event,
    event_id: d.event_id,
    redelivery_of: d.redelivery_of,
    status: d.status,
    status_code: d.status_code,
    attempts: d.attempts,
    request: { headers: webhookDeliveryHeaders(d), body: webhookDeliveryBody(d) },
    response: d.status_code === null ? null : { status_code: d.status_code, body: d.response_body ?? '' },
    error: d.error,
    duration_ms: d.duration_ms,
    created_date: iso(d.created_date),
    updated_date: iso(d.updated_date),
  };
}
