import { env } from '@cvat-backup/common';
import type { z } from 'zod';

/** The worker's webhook settings (part of its environment, see ../config.ts). */
export const webhookConfigShape = {
  /** Deliveries sent at once by one worker (they wait on the network, not on the CPU). */
  WEBHOOK_CONCURRENCY: env.positiveInt(8),
  /** Attempts of one delivery (the first included) before it is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: env.positiveInt(8),
  /** One attempt's limit, connection to the end of the response. */
  WEBHOOK_TIMEOUT_MS: env.positiveInt(10_000),
  /** First retry delay; doubled per attempt, with jitter, up to WEBHOOK_BACKOFF_MAX_MS. */
  WEBHOOK_BACKOFF_MS: env.positiveInt(5_000),
  /** Longest wait between attempts, also the cap on a receiver's Retry-After. */
  WEBHOOK_BACKOFF_MAX_MS: env.positiveInt(3_600_000),
  /**
   * Refuse receivers on loopback, private, link-local (cloud metadata) and CGNAT addresses, checked on
   * the address actually connected to. Turn on where users are not trusted with the internal network.
   */
  WEBHOOK_BLOCK_PRIVATE_ADDRESSES: env.boolean(false),
  /** Delivery log: the newest finished deliveries kept per webhook, and the age after which any goes. */
  WEBHOOK_DELIVERY_KEEP: env.positiveInt(100),
  WEBHOOK_DELIVERY_MAX_AGE_DAYS: env.positiveInt(30),
  /** How long a failed request stays visible (the API's setting of the same name): its `expiry_date`. */
  FAILURE_TTL_SECONDS: env.positiveInt(24 * 3600),
  /**
   * The API's public origin (e.g. `https://backup.example.com`), for `result_url` in the request objects
   * that `backup:finished` events carry; without it `result_url` is null.
   */
  PUBLIC_URL: env.url(['http:', 'https:']).optional(),
};

export type WebhookConfig = z.infer<z.ZodObject<typeof webhookConfigShape>>;
