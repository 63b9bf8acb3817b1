import type { Actor, ListQuery, Page } from './common.types.js';

export type WebhookType = 'user' | 'schedule';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** CVAT's webhook read shape: never the secret. */
export interface WebhookRecord {
  id: number;
  target_url: string;
  description: string;
  type: WebhookType;
  schedule_id: number | null;
  events: string[];
  is_active: boolean;
  enable_ssl: boolean;
  content_type: 'application/json';
  owner: { id: number; username: string } | null;
  created_date: Date;
  updated_date: Date;
  /** HTTP status of the latest attempted delivery (null: none yet, or no answer). */
  last_status: number | null;
  last_delivery_date: Date | null;
}

export interface NewWebhook {
  target_url: string;
  description?: string;
  type: WebhookType;
  schedule_id?: number | null;
  events: string[];
  is_active?: boolean;
  enable_ssl?: boolean;
  /** Signing secret, encrypted at rest; empty or absent: deliveries are not signed. */
  secret?: string | null;
}

export interface WebhookPatch {
  target_url?: string;
  description?: string;
  events?: string[];
  is_active?: boolean;
  enable_ssl?: boolean;
  /** Replaces the secret; null or '' removes it. */
  secret?: string | null;
}

/** What a delivery needs: the record and its decrypted secret. Workers only; never serialise it. */
export interface WebhookTarget extends WebhookRecord {
  owner_id: number;
  secret: string | null;
}

export interface DeliveryRecord {
  id: number;
  webhook_id: number;
  event: string;
  event_id: string;
  redelivery_of: number | null;
  occurred_at: Date;
  payload: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  status_code: number | null;
  response_body: string | null;
  error: string | null;
  duration_ms: number | null;
  created_date: Date;
  updated_date: Date;
}

export interface NewDelivery {
  webhookId: number;
  event: string;
  eventId: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
  /** Set for a redelivery: the delivery whose event is sent again (always a new row). */
  redeliveryOf?: number;
}

/** One attempt's outcome; `status` stays `pending` while a retry is due. */
export interface DeliveryAttempt {
  status: DeliveryStatus;
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
}

/** The events a webhook subscribes to and who it belongs to: what an event is matched against. */
export interface WebhookEventKey {
  event: string;
  userId: number;
  scheduleId?: number;
}

export interface WebhookRepository {
  /** Throws WEBHOOK_SCHEDULE_NOT_FOUND when `schedule_id` is not one of the owner's schedules. */
  create(actor: Actor, input: NewWebhook): Promise<WebhookRecord>;
  /** The owner's (any, for an admin); null otherwise. */
  get(actor: Actor, id: number): Promise<WebhookRecord | null>;
  /** Filters: id, type, schedule_id, target_url, owner (username), is_active. */
  list(actor: Actor, query?: ListQuery): Promise<Page<WebhookRecord>>;
  update(actor: Actor, id: number, patch: WebhookPatch): Promise<WebhookRecord | null>;
  delete(actor: Actor, id: number): Promise<boolean>;

  /** Active webhooks for an event: the user's "user" webhooks and, with a schedule id, that schedule's. */
  matching(key: WebhookEventKey): Promise<WebhookRecord[]>;
  /** Workers only: the webhook with its decrypted secret (WEBHOOK_SECRET_UNREADABLE when it cannot be). */
  target(id: number): Promise<WebhookTarget | null>;

  /**
   * Records a delivery to send. A repeated (webhookId, eventId) of an original delivery returns the
   * existing row with `created: false`. With `keep`, older finished deliveries beyond the webhook's
   * `keep` newest are removed, so the log stays bounded (the worker passes it for every event).
   */
  createDelivery(input: NewDelivery, keep?: number): Promise<{ delivery: DeliveryRecord; created: boolean }>;
  getDelivery(webhookId: number, deliveryId: number): Promise<DeliveryRecord | null>;
  /** Newest first. */
  listDeliveries(webhookId: number, query?: ListQuery): Promise<Page<DeliveryRecord>>;
  /** Counts one attempt and stores its outcome; returns the updated row (null when it was removed). */
  recordAttempt(deliveryId: number, attempt: DeliveryAttempt): Promise<DeliveryRecord | null>;
  /** Ends a pending delivery without another attempt (its webhook was deactivated); false if not pending. */
  abandonDelivery(deliveryId: number, reason: string): Promise<boolean>;
  /** Removes deliveries not updated for `maxAgeMs` (the periodic sweep); returns how many. */
  sweepDeliveries(maxAgeMs: number): Promise<number>;
}

/** The fields a webhook list can be filtered by (equality: `?name=` and `filter=` of CVAT's list API). */
export const WEBHOOK_FILTERS = ['id', 'type', 'schedule_id', 'target_url', 'owner', 'is_active'] as const;
