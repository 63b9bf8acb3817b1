import { randomUUID } from 'node:crypto';
import { type Catalog, WEBHOOK_FILTERS, type WebhookRecord } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { queueWebhookDelivery } from '@cvat-backup/queue';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actor } from '../auth/auth.hook.js';
import type { BackupServices } from '../backup/backup-services.js';
import { listQuerySchema, pageEnvelope, toListQuery } from '../http/pagination.js';
import { idParams } from '../http/params.js';
import {
  checkEvents,
  checkTargetUrl,
  deliveryParams,
  webhookCreateBody,
  webhookPatchBody,
} from './webhook.schemas.js';
import { serializeDelivery, serializeWebhook } from './webhook.serializer.js';

/**
 * `/api/webhooks` in CVAT's shape: CRUD (the secret write-only), a ping, the delivery log and
 * redelivery. Only the owner (or an admin) sees a webhook; anyone else gets 404.
 */
export function webhooksRoutes(catalog: Catalog, services: BackupServices) {
  const repo = catalog.webhooks;

  const visible = async (request: FastifyRequest, id: number): Promise<WebhookRecord> => {
    const record = await repo.get(actor(request), id);
    if (!record) throw new AppError('WEBHOOK_NOT_FOUND', { id });
    return record;
  };

  /** Records a delivery and queues it; Redis down answers 503 before anything is written. */
  const send = async (delivery: Parameters<typeof repo.createDelivery>[0]) => {
    if (!services.queuesAvailable())
      throw new AppError('DEPENDENCY_UNAVAILABLE', {
        dependency: 'Redis service',
        reason: 'the webhook queue cannot be reached, retry later',
      });
    const { delivery: made } = await repo.createDelivery(delivery);
    await queueWebhookDelivery(services.webhooks, { webhookId: made.webhook_id, deliveryId: made.id });
    return made;
  };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/api/webhooks', { schema: { querystring: listQuerySchema } }, async (request) => {
      const query = toListQuery(request.query, WEBHOOK_FILTERS);
      const page = await repo.list(actor(request), query);
      return pageEnvelope(request, query, page, serializeWebhook);
    });

    app.post('/api/webhooks', { schema: { body: webhookCreateBody } }, async (request, reply) => {
      const b = request.body;
      if ((b.type === 'schedule') !== (b.schedule_id != null))
        throw new AppError('WEBHOOK_SCHEDULE_REQUIRED');
      const created = await repo.create(actor(request), {
        target_url: checkTargetUrl(b.target_url),
        type: b.type,
        schedule_id: b.schedule_id ?? null,
        events: checkEvents(b.events),
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.secret !== undefined ? { secret: b.secret } : {}),
        ...(b.is_active !== undefined ? { is_active: b.is_active } : {}),
        ...(b.enable_ssl !== undefined ? { enable_ssl: b.enable_ssl } : {}),
      });
      return reply.code(201).send(serializeWebhook(created));
    });

    app.get(
      '/api/webhooks/:id',
      { config: { resource: 'webhook' }, schema: { params: idParams } },
      async (request) => serializeWebhook(await visible(request, request.params.id)),
    );

    app.patch(
      '/api/webhooks/:id',
      { config: { resource: 'webhook' }, schema: { params: idParams, body: webhookPatchBody } },
      async (request) => {
        await visible(request, request.params.id);
        const { content_type, target_url, events, ...rest } = request.body;
        const updated = await repo.update(actor(request), request.params.id, {
          ...rest,
          ...(target_url !== undefined ? { target_url: checkTargetUrl(target_url) } : {}),
          ...(events !== undefined ? { events: checkEvents(events) } : {}),
        });
        if (!updated) throw new AppError('WEBHOOK_NOT_FOUND', { id: request.params.id });
        return serializeWebhook(updated);
      },
    );

    app.delete(
      '/api/webhooks/:id',
      { config: { resource: 'webhook' }, schema: { params: idParams } },
      async (request, reply) => {
        if (!(await repo.delete(actor(request), request.params.id)))
          throw new AppError('WEBHOOK_NOT_FOUND', { id: request.params.id });
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/webhooks/:id/ping',
      { config: { resource: 'webhook' }, schema: { params: idParams } },
      async (request, reply) => {
        const webhook = await visible(request, request.params.id);
        const made = await send({
          webhookId: webhook.id,
          event: 'ping',
          eventId: `ping-${randomUUID()}`,
          occurredAt: new Date(),
          payload: { webhook: serializeWebhook(webhook), sender: webhook.owner },
        });
        return reply.code(201).send(serializeDelivery(made));
      },
    );

    app.get(
      '/api/webhooks/:id/deliveries',
      { config: { resource: 'webhook' }, schema: { params: idParams, querystring: listQuerySchema } },
      async (request) => {
        const webhook = await visible(request, request.params.id);
        const query = toListQuery(request.query, []);
        const page = await repo.listDeliveries(webhook.id, query);
        return pageEnvelope(request, query, page, serializeDelivery);
      },
    );

    app.post(
      '/api/webhooks/:id/deliveries/:delivery_id/redelivery',
      { config: { resource: 'webhook' }, schema: { params: deliveryParams } },
      async (request, reply) => {
        const webhook = await visible(request, request.params.id);
        const raw = request.params.delivery_id;
        const original = /^[1-9]\d{0,15}$/.test(raw) ? await repo.getDelivery(webhook.id, Number(raw)) : null;
        if (!original) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', { id: webhook.id, deliveryId: raw });
        const made = await send({
          webhookId: webhook.id,
          event: original.event,
          eventId: original.event_id,
          occurredAt: original.occurred_at,
          payload: original.payload,
          redeliveryOf: original.id,
        });
        return reply.code(201).send(serializeDelivery(made));
      },
    );
  };
}
