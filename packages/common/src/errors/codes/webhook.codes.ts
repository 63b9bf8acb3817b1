import { defineErrors } from '../error-spec.js';

/**
 * Codes of webhooks: the `/api/webhooks` endpoints (400s name the field, so the API answers DRF's
 * `{"field": ["…"]}`), an event refused before it is published (made by our code, so a 500), and the
 * retryable failure of a delivery attempt (the job's failure reason).
 */
export const webhookErrors = defineErrors({
  WEBHOOK_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'Webhook {id} does not exist or is not available to you.',
  },
  WEBHOOK_DELIVERY_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'Delivery {deliveryId} of webhook {id} does not exist (old deliveries are removed).',
  },
  WEBHOOK_URL_INVALID: {
    status: 400,
    retryable: false,
    message:
      'target_url must be an absolute http:// or https:// URL with a host and no user:password part ({problem}).',
  },
  WEBHOOK_EVENTS_INVALID: {
    status: 400,
    retryable: false,
    message: 'events must name at least one of {allowed}.',
  },
  WEBHOOK_SCHEDULE_REQUIRED: {
    status: 400,
    retryable: false,
    message:
      'A webhook of type "schedule" needs schedule_id (one of your backup schedules); a "user" webhook takes none.',
  },
  WEBHOOK_SCHEDULE_NOT_FOUND: {
    status: 400,
    retryable: false,
    message:
      'Backup schedule {scheduleId} does not exist or is not yours: use the id of one of your schedules.',
  },
  WEBHOOK_SECRET_UNREADABLE: {
    status: 500,
    retryable: false,
    message:
      'The secret of webhook {id} cannot be decrypted (SECRET_KEY changed or the row was altered): set a new secret with PATCH /api/webhooks/{id}.',
  },
  WEBHOOK_EVENT_INVALID: {
    status: 500,
    retryable: false,
    message:
      'A webhook event was not published because it is malformed ({problems}): a defect of the code that made it; report it with this message.',
  },
  WEBHOOK_RECEIVER_UNAVAILABLE: {
    status: 502,
    retryable: true,
    message: 'The receiver could not take the delivery ({reason}); it is retried with backoff.',
  },
});
