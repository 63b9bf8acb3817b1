import { AppError } from '@cvat-backup/common';
import type { Actor, ListQuery, Page } from '../repositories/common.types.js';
import {
  type DeliveryAttempt,
  type DeliveryRecord,
  type NewDelivery,
  type NewWebhook,
  WEBHOOK_FILTERS,
  type WebhookEventKey,
  type WebhookPatch,
  type WebhookRecord,
  type WebhookRepository,
  type WebhookTarget,
} from '../repositories/webhook.repository.js';
import type { CredentialCipher } from '../security/credential-cipher.js';
import { atomically, type Connections, type Queryable } from './db.js';
import { buildListSql, type ListSpec, queryPage } from './list-sql.js';
import { mapped } from './pg-errors.js';
import { setClause } from './sql-fragments.js';

const COLUMNS = `w.id, w.target_url, w.description, w.type, w.schedule_id, w.events, w.is_active, w.enable_ssl,
    w.content_type, CASE WHEN ou.id IS NULL THEN NULL ELSE json_build_object('id', ou.id, 'username', ou.username) END AS owner,
    w.created_date, w.updated_date, last.status_code AS last_status, last.updated_date AS last_delivery_date`;

const FROM = `webhooks w LEFT JOIN users ou ON ou.id = w.owner_id
  LEFT JOIN LATERAL (SELECT d.status_code, d.updated_date FROM webhook_deliveries d
    WHERE d.webhook_id = w.id AND d.attempts > 0 ORDER BY d.id DESC LIMIT 1) last ON true`;

const SELECT = `SELECT ${COLUMNS} FROM ${FROM}`;
const VISIBLE = '($1::boolean OR w.owner_id = $2::integer)';

const LIST: ListSpec = {
  fields: {
    id: { sql: 'w.id', type: 'int' },
    type: { sql: 'w.type', type: 'text' },
    schedule_id: { sql: 'w.schedule_id', type: 'int' },
    target_url: { sql: 'w.target_url', type: 'text' },
    description: { sql: 'w.description', type: 'text' },
    owner: { sql: 'ou.username', type: 'text' },
    is_active: { sql: 'w.is_active', type: 'bool' },
    updated_date: { sql: 'w.updated_date', type: 'text' },
  },
  filters: WEBHOOK_FILTERS,
  search: ['target_url', 'description', 'owner', 'type'],
  defaultSort: '-id',
};

const DELIVERY = `SELECT id::float8 AS id, webhook_id, event, event_id, redelivery_of::float8 AS redelivery_of,
    occurred_at, payload, status, attempts, status_code, response_body, error, duration_ms, created_date, updated_date
  FROM webhook_deliveries`;

export class PgWebhookRepository implements WebhookRepository {
  constructor(
    private readonly conn: Connections,
    private readonly cipher: CredentialCipher,
  ) {}

  async create(actor: Actor, input: NewWebhook): Promise<WebhookRecord> {
    if (input.type === 'schedule') await this.checkSchedule(actor, input.schedule_id ?? null);
    return atomically(this.conn, async (client) => {
      const { rows } = await mapped(
        client.query<{ id: number }>(
          `INSERT INTO webhooks (target_url, description, type, schedule_id, events, is_active, enable_ssl, owner_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [
            input.target_url,
            input.description ?? '',
            input.type,
            input.type === 'schedule' ? input.schedule_id : null,
            input.events,
            input.is_active ?? true,
            input.enable_ssl ?? true,
            actor.id,
          ],
        ),
      );
      const id = rows[0]!.id;
      await this.storeSecret(client, id, input.secret);
      return (await selectOne(client, id))!;
    });
  }

  async get(actor: Actor, id: number): Promise<WebhookRecord | null> {
    const { rows } = await this.conn.db.query<WebhookRecord>(`${SELECT} WHERE w.id = $3 AND ${VISIBLE}`, [
      actor.isAdmin,
      actor.id,
      id,
    ]);
    return rows[0] ?? null;
  }

  async list(actor: Actor, query: ListQuery = {}): Promise<Page<WebhookRecord>> {
    const sql = buildListSql(LIST, query, [actor.isAdmin, actor.id]);
    const where = `${VISIBLE} AND ${sql.where}`;
    return queryPage<WebhookRecord>(this.conn.db, {
      from: 'FROM webhooks w LEFT JOIN users ou ON ou.id = w.owner_id',
      select: SELECT,
      where,
      sql,
    });
  }

  async update(actor: Actor, id: number, patch: WebhookPatch): Promise<WebhookRecord | null> {
    if (!(await this.get(actor, id))) return null;
    return atomically(this.conn, async (client) => {
      const params: unknown[] = [id];
      const sets = setClause(
        patch,
        ['target_url', 'description', 'events', 'is_active', 'enable_ssl'],
        params,
      );
      sets.push('updated_date = now()');
      await mapped(client.query(`UPDATE webhooks SET ${sets.join(', ')} WHERE id = $1`, params));
      if (patch.secret !== undefined) await this.storeSecret(client, id, patch.secret);
      return selectOne(client, id);
    });
  }

  async delete(actor: Actor, id: number): Promise<boolean> {
    const { rowCount } = await this.conn.db.query(`DELETE FROM webhooks w WHERE w.id = $3 AND ${VISIBLE}`, [
      actor.isAdmin,
      actor.id,
      id,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async matching(key: WebhookEventKey): Promise<WebhookRecord[]> {
    const { rows } = await this.conn.db.query<WebhookRecord>(
      `${SELECT} WHERE w.is_active AND $1 = ANY (w.events)
         AND ((w.type = 'user' AND w.owner_id = $2) OR (w.type = 'schedule' AND w.schedule_id = $3))
       ORDER BY w.id`,
      [key.event, key.userId, key.scheduleId ?? null],
    );
    return rows;
  }

  async target(id: number): Promise<WebhookTarget | null> {
    const { rows } = await this.conn.db.query<WebhookRecord & { owner_id: number; secret: Buffer | null }>(
      `SELECT ${COLUMNS}, w.owner_id, w.secret FROM ${FROM} WHERE w.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    let secret: string | null = null;
    if (row.secret) {
      try {
        secret = this.cipher.decrypt(row.secret, id, 'webhook');
      } catch (err) {
        throw new AppError('WEBHOOK_SECRET_UNREADABLE', { id }, { cause: err });
      }
    }
    return { ...row, secret };
  }

  async createDelivery(
    input: NewDelivery,
    keep?: number,
  ): Promise<{ delivery: DeliveryRecord; created: boolean }> {
    return atomically(this.conn, async (client) => {
      const values = [
        input.webhookId,
        input.event,
        input.eventId,
        input.redeliveryOf ?? null,
        input.occurredAt,
        JSON.stringify(input.payload),
      ];
      const insert = `INSERT INTO webhook_deliveries (webhook_id, event, event_id, redelivery_of, occurred_at, payload)
        VALUES ($1, $2, $3, $4, $5, $6::jsonb)`;
      const { rows } = await mapped(
        client.query<{ id: string }>(
          input.redeliveryOf === undefined
            ? `${insert} ON CONFLICT (webhook_id, event_id) WHERE redelivery_of IS NULL DO NOTHING RETURNING id`
            : `${insert} RETURNING id`,
          values,
        ),
      );
      const created = rows.length > 0;
      const found = created
        ? await client.query<DeliveryRecord>(`${DELIVERY} WHERE id = $1`, [rows[0]!.id])
        : await client.query<DeliveryRecord>(
            `${DELIVERY} WHERE webhook_id = $1 AND event_id = $2 AND redelivery_of IS NULL`,
            [input.webhookId, input.eventId],
          );
      if (created && keep !== undefined) await prune(client, input.webhookId, keep);
      return { delivery: found.rows[0]!, created };
    });
  }

  async getDelivery(webhookId: number, deliveryId: number): Promise<DeliveryRecord | null> {
    const { rows } = await this.conn.db.query<DeliveryRecord>(
      `${DELIVERY} WHERE webhook_id = $1 AND id = $2`,
      [webhookId, deliveryId],
    );
    return rows[0] ?? null;
  }

  async listDeliveries(webhookId: number, query: ListQuery = {}): Promise<Page<DeliveryRecord>> {
    const size = query.pageSize === 'all' ? null : (query.pageSize ?? 10);
    const offset = size === null ? 0 : ((query.page ?? 1) - 1) * size;
    const [count, page] = await Promise.all([
      this.conn.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1',
        [webhookId],
      ),
      this.conn.db.query<DeliveryRecord>(
        `${DELIVERY} WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`,
        [webhookId, size, offset],
      ),
    ]);
    return { count: count.rows[0]!.n, results: page.rows };
  }

  async recordAttempt(deliveryId: number, attempt: DeliveryAttempt): Promise<DeliveryRecord | null> {
    const { rows } = await this.conn.db.query<DeliveryRecord>(
      `WITH updated AS (
         UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, status_code = $3,
           response_body = $4, error = $5, duration_ms = $6, updated_date = now()
         WHERE id = $1 RETURNING *)
       ${DELIVERY.replace('FROM webhook_deliveries', 'FROM updated')}`,
      [
        deliveryId,
        attempt.status,
        attempt.statusCode,
        attempt.responseBody,
        attempt.error,
        Math.round(attempt.durationMs),
      ],
    );
    return rows[0] ?? null;
  }

  async abandonDelivery(deliveryId: number, reason: string): Promise<boolean> {
    const { rowCount } = await this.conn.db.query(
      `UPDATE webhook_deliveries SET status = 'failed', error = $2, updated_date = now()
       WHERE id = $1 AND status = 'pending'`,
      [deliveryId, reason],
    );
    return (rowCount ?? 0) > 0;
  }

  async sweepDeliveries(maxAgeMs: number): Promise<number> {
    const { rowCount } = await this.conn.db.query(
      `DELETE FROM webhook_deliveries WHERE updated_date < now() - make_interval(secs => $1::double precision / 1000)`,
      [maxAgeMs],
    );
    return rowCount ?? 0;
  }

  /** The schedule must exist and be the actor's; the table comes with the schedules migration. */
  private async checkSchedule(actor: Actor, scheduleId: number | null): Promise<void> {
    if (scheduleId === null) throw new AppError('WEBHOOK_SCHEDULE_REQUIRED');
    const { rows } = await this.conn.db.query<{ table: string | null }>(
      "SELECT to_regclass('backup_schedules')::text AS table",
    );
    const mine = rows[0]?.table
      ? await this.conn.db.query('SELECT 1 FROM backup_schedules WHERE id = $1 AND owner_id = $2', [
          scheduleId,
          actor.id,
        ])
      : { rowCount: 0 };
    if (!mine.rowCount) throw new AppError('WEBHOOK_SCHEDULE_NOT_FOUND', { scheduleId });
  }

  private async storeSecret(db: Queryable, id: number, secret: string | null | undefined): Promise<void> {
    const envelope = secret ? this.cipher.encrypt(secret, id, 'webhook') : null;
    await db.query('UPDATE webhooks SET secret = $2 WHERE id = $1', [id, envelope]);
  }
}

async function selectOne(db: Queryable, id: number): Promise<WebhookRecord | null> {
  const { rows } = await db.query<WebhookRecord>(`${SELECT} WHERE w.id = $1`, [id]);
  return rows[0] ?? null;
}

/** Keeps the `keep` newest finished deliveries of a webhook; pending ones stay until they finish. */
async function prune(db: Queryable, webhookId: number, keep: number): Promise<void> {
  await db.query(
    `DELETE FROM webhook_deliveries WHERE webhook_id = $1 AND status <> 'pending' AND id <= (
       SELECT id FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
    [webhookId, keep],
  );
}
