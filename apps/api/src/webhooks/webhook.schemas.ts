import { AppError } from '@cvat-backup/common';
import { WEBHOOK_EVENT_TYPES } from '@cvat-backup/queue';
import { z } from 'zod';

const events = z.array(z.string()).max(WEBHOOK_EVENT_TYPES.length * 2);

/** CVAT's webhook write fields; `type`/`schedule_id` say which events reach it and are fixed once made. */
export const webhookCreateBody = z.object({
  target_url: z.string().max(8192),
  description: z.string().max(128).optional(),
  type: z.enum(['user', 'schedule']).default('user'),
  schedule_id: z.number().int().positive().nullish(),
  events,
  content_type: z.literal('application/json').optional(),
  /** Write-only: signs deliveries (`X-Signature-256`); never returned. */
  secret: z.string().max(256).optional(),
  is_active: z.boolean().optional(),
  enable_ssl: z.boolean().optional(),
});

export const webhookPatchBody = webhookCreateBody
  .omit({ type: true, schedule_id: true })
  .partial()
  .extend({ secret: z.string().max(256).nullable().optional() });

/** `:delivery_id` is checked after the webhook is found, so another user's webhook answers 404 first. */
export const deliveryParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
  delivery_id: z.string().max(32),
});

/** A target URL a worker may POST to: http(s), a host, no `user:password@` (it would land in logs). */
export function checkTargetUrl(value: string): string {
  const invalid = (problem: string) => new AppError('WEBHOOK_URL_INVALID', { field: 'target_url', problem });
  if (!URL.canParse(value)) throw invalid('not a URL');
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`scheme "${url.protocol}"`);
  if (!url.hostname) throw invalid('no host');
  if (url.username || url.password) throw invalid('credentials in the URL; use the secret instead');
  return url.toString();
}

/** The events, each one known and none twice. */
export function checkEvents(value: string[]): string[] {
  const known = new Set<string>(WEBHOOK_EVENT_TYPES);
  const unique = [...new Set(value)];
  if (unique.length === 0 || unique.some((e) => !known.has(e)))
    throw new AppError('WEBHOOK_EVENTS_INVALID', {
      field: 'events',
      allowed: WEBHOOK_EVENT_TYPES.join(', '),
    });
  return unique;
}
