import { AppError } from '@cvat-backup/common';
import {
  CLOUD_STORAGE_FILTERS,
  type CloudCredentials,
  type CloudStorageAccess,
  type CloudStoragePatch,
  type CloudStorageRecord,
  type CloudStorageRepository,
  type NewCloudStorage,
  parseSpecificAttributes,
} from '../repositories/cloud-storage.repository.js';
import type { Actor, ListQuery, Page } from '../repositories/common.types.js';
import type { CredentialCipher } from '../security/credential-cipher.js';
import { atomically, type Connections, type Queryable } from './db.js';
import { buildListSql, type ListSpec, queryPage } from './list-sql.js';
import { mapped } from './pg-errors.js';
import { setClause, userJson } from './sql-fragments.js';

const SELECT = `SELECT c.id, ${userJson('ou')} AS owner, c.manifests, c.created_date, c.updated_date, c.provider_type,
    c.resource, c.display_name, c.credentials_type, c.specific_attributes, c.description, c.organization_id
  FROM cloud_storages c LEFT JOIN users ou ON ou.id = c.owner_id`;

const VISIBLE = '($1::boolean OR c.owner_id = $2::integer)';

const LIST: ListSpec = {
  fields: {
    id: { sql: 'c.id', type: 'int' },
    provider_type: { sql: 'c.provider_type', type: 'text' },
    name: { sql: 'c.display_name', type: 'text' },
    resource: { sql: 'c.resource', type: 'text' },
    credentials_type: { sql: 'c.credentials_type', type: 'text' },
    owner: { sql: 'ou.username', type: 'text' },
    description: { sql: 'c.description', type: 'text' },
  },
  filters: CLOUD_STORAGE_FILTERS,
  search: ['provider_type', 'name', 'resource', 'credentials_type', 'owner', 'description'],
  defaultSort: '-id',
};

function checkAttributes(value: string | undefined): void {
  if (value === undefined) return;
  const parsed = parseSpecificAttributes(value);
  if (typeof parsed === 'string')
    throw new AppError('CATALOG_INVALID_VALUE', { field: 'specific_attributes', problem: parsed });
}

/** Only non-empty secrets are kept, so an empty object means "no secret". */
function clean(credentials: CloudCredentials | undefined): CloudCredentials {
  const out: CloudCredentials = {};
  for (const [k, v] of Object.entries(credentials ?? {}))
    if (typeof v === 'string' && v !== '') out[k as keyof CloudCredentials] = v;
  return out;
}

export class PgCloudStorageRepository implements CloudStorageRepository {
  constructor(
    private readonly conn: Connections,
    private readonly cipher: CredentialCipher,
  ) {}

  async create(actor: Actor, input: NewCloudStorage): Promise<CloudStorageRecord> {
    checkAttributes(input.specific_attributes);
    return atomically(this.conn, async (client) => {
      const { rows } = await mapped(
        client.query<{ id: number }>(
          `INSERT INTO cloud_storages (provider_type, resource, display_name, credentials_type, specific_attributes,
             description, manifests, owner_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [
            input.provider_type,
            input.resource,
            input.display_name,
            input.credentials_type,
            input.specific_attributes ?? '',
            input.description ?? '',
            input.manifests ?? [],
            input.owner_id === undefined ? actor.id : input.owner_id,
          ],
        ),
      );
      const id = rows[0]!.id;
      await this.storeCredentials(client, id, clean(input.credentials));
      return (await selectOne(client, id))!;
    });
  }

  async get(actor: Actor, id: number): Promise<CloudStorageRecord | null> {
    const { rows } = await this.conn.db.query<CloudStorageRecord>(
      `${SELECT} WHERE c.id = $3 AND ${VISIBLE}`,
      [actor.isAdmin, actor.id, id],
    );
    return rows[0] ?? null;
  }

  async list(actor: Actor, query: ListQuery = {}): Promise<Page<CloudStorageRecord>> {
    const sql = buildListSql(LIST, query, [actor.isAdmin, actor.id]);
    const where = `${VISIBLE} AND ${sql.where}`;
    return queryPage<CloudStorageRecord>(this.conn.db, {
      from: 'FROM cloud_storages c LEFT JOIN users ou ON ou.id = c.owner_id',
      select: SELECT,
      where,
      sql,
    });
  }

  async update(actor: Actor, id: number, patch: CloudStoragePatch): Promise<CloudStorageRecord | null> {
    checkAttributes(patch.specific_attributes);
    const current = await this.get(actor, id);
    if (!current) return null;
    return atomically(this.conn, async (client) => {
      const params: unknown[] = [id];
      const sets = setClause(
        patch,
        ['resource', 'display_name', 'credentials_type', 'specific_attributes', 'description', 'manifests'],
        params,
      );
      sets.push('updated_date = now()');
      await mapped(client.query(`UPDATE cloud_storages SET ${sets.join(', ')} WHERE id = $1`, params));
      const typeChanged =
        patch.credentials_type !== undefined && patch.credentials_type !== current.credentials_type;
      if (patch.credentials !== undefined || typeChanged) {
        const previous = typeChanged ? {} : await this.readCredentials(client, id);
        await this.storeCredentials(client, id, clean({ ...previous, ...clean(patch.credentials) }));
      }
      return selectOne(client, id);
    });
  }

  async delete(actor: Actor, id: number): Promise<boolean> {
    const { rowCount } = await this.conn.db.query(
      `DELETE FROM cloud_storages c WHERE c.id = $3 AND ${VISIBLE}`,
      [actor.isAdmin, actor.id, id],
    );
    return (rowCount ?? 0) > 0;
  }

  async access(id: number): Promise<CloudStorageAccess | null> {
    const record = await selectOne(this.conn.db, id);
    if (!record) return null;
    const attributes = parseSpecificAttributes(record.specific_attributes);
    return {
      ...record,
      credentials: await this.readCredentials(this.conn.db, id),
      attributes: typeof attributes === 'string' ? {} : attributes,
    };
  }

  private async storeCredentials(db: Queryable, id: number, credentials: CloudCredentials): Promise<void> {
    const envelope = Object.keys(credentials).length
      ? this.cipher.encrypt(JSON.stringify(credentials), id)
      : null;
    await db.query('UPDATE cloud_storages SET credentials = $2 WHERE id = $1', [id, envelope]);
  }

  private async readCredentials(db: Queryable, id: number): Promise<CloudCredentials> {
    const { rows } = await db.query<{ credentials: Buffer | null }>(
      'SELECT credentials FROM cloud_storages WHERE id = $1',
      [id],
    );
    const envelope = rows[0]?.credentials;
    if (!envelope) return {};
    const parsed: unknown = JSON.parse(this.cipher.decrypt(envelope, id));
    return clean(parsed as CloudCredentials);
  }
}

async function selectOne(db: Queryable, id: number): Promise<CloudStorageRecord | null> {
  const { rows } = await db.query<CloudStorageRecord>(`${SELECT} WHERE c.id = $1`, [id]);
  return rows[0] ?? null;
}
