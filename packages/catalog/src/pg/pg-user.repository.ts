import { AppError, isAppError } from '@cvat-backup/common';
import type { Actor, ListQuery, Page } from '../repositories/common.types.js';
import {
  type NewUser,
  USER_FILTERS,
  type UserPatch,
  type UserRecord,
  type UserRepository,
} from '../repositories/user.repository.js';
import { apiKeyHash, newApiKey } from '../security/api-token.js';
import { hashPassword, verifyPassword } from '../security/password-hasher.js';
import { atomically, type Connections } from './db.js';
import { buildListSql, type ListSpec, queryPage } from './list-sql.js';
import { mapped } from './pg-errors.js';

const COLUMNS = `u.id, u.username, u.email, u.first_name, u.last_name, u.is_superuser, u.is_staff,
  u.is_active, u.date_joined, u.last_login`;

const LIST: ListSpec = {
  fields: {
    id: { sql: 'u.id', type: 'int' },
    username: { sql: 'u.username', type: 'text' },
    email: { sql: 'u.email', type: 'text' },
    first_name: { sql: 'u.first_name', type: 'text' },
    last_name: { sql: 'u.last_name', type: 'text' },
    is_active: { sql: 'u.is_active', type: 'bool' },
  },
  filters: USER_FILTERS,
  search: ['username', 'first_name', 'last_name'],
  defaultSort: 'id',
};

let dummy: Promise<string> | undefined;
const dummyHash = (): Promise<string> => {
  dummy ??= hashPassword('not a password of anybody');
  return dummy;
};

function uniqueError(err: unknown, username: string): unknown {
  if (isAppError(err, 'CATALOG_CONFLICT')) {
    const constraint = String(err.details['reason']);
    if (constraint === 'users_username_key') return new AppError('CATALOG_USERNAME_TAKEN', { username });
    if (constraint === 'users_email_key') return new AppError('CATALOG_EMAIL_TAKEN', {});
  }
  return err;
}

export class PgUserRepository implements UserRepository {
  constructor(private readonly conn: Connections) {}

  async create(user: NewUser): Promise<UserRecord> {
    const hash = await hashPassword(user.password);
    try {
      const { rows } = await mapped(
        this.conn.db.query<UserRecord>(
          `INSERT INTO users AS u (username, email, first_name, last_name, password_hash, is_superuser, is_staff, is_active)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
          [
            user.username,
            user.email ?? '',
            user.first_name ?? '',
            user.last_name ?? '',
            hash,
            user.is_superuser ?? false,
            user.is_staff ?? user.is_superuser ?? false,
            user.is_active ?? true,
          ],
        ),
      );
      return rows[0]!;
    } catch (err) {
      throw uniqueError(err, user.username);
    }
  }

  async get(id: number): Promise<UserRecord | null> {
    const { rows } = await this.conn.db.query<UserRecord>(`SELECT ${COLUMNS} FROM users u WHERE u.id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const { rows } = await this.conn.db.query<UserRecord>(
      `SELECT ${COLUMNS} FROM users u WHERE lower(u.username) = lower($1)`,
      [username],
    );
    return rows[0] ?? null;
  }

  async list(actor: Actor, query: ListQuery = {}): Promise<Page<UserRecord>> {
    const sql = buildListSql(LIST, query, [actor.isAdmin, actor.id]);
    const where = `($1 OR u.id = $2) AND ${sql.where}`;
    return queryPage<UserRecord>(this.conn.db, {
      from: 'FROM users u',
      select: `SELECT ${COLUMNS} FROM users u`,
      where,
      sql,
    });
  }

  async update(id: number, patch: UserPatch): Promise<UserRecord | null> {
    const hash = patch.password === undefined ? null : await hashPassword(patch.password);
    const current = await this.get(id);
    if (!current) return null;
    try {
      return await atomically(this.conn, async (client) => {
        const { rows } = await mapped(
          client.query<UserRecord>(
            `UPDATE users AS u SET email = coalesce($2, email), first_name = coalesce($3, first_name),
               last_name = coalesce($4, last_name), is_superuser = coalesce($5, is_superuser),
               is_staff = coalesce($6, is_staff), is_active = coalesce($7, is_active),
               password_hash = coalesce($8, password_hash)
             WHERE u.id = $1 RETURNING ${COLUMNS}`,
            [
              id,
              patch.email ?? null,
              patch.first_name ?? null,
              patch.last_name ?? null,
              patch.is_superuser ?? null,
              patch.is_staff ?? null,
              patch.is_active ?? null,
              hash,
            ],
          ),
        );
        if (hash !== null) await client.query('DELETE FROM api_tokens WHERE user_id = $1', [id]);
        return rows[0] ?? null;
      });
    } catch (err) {
      throw uniqueError(err, current.username);
    }
  }

  async delete(id: number): Promise<boolean> {
    const { rowCount } = await this.conn.db.query('DELETE FROM users WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  async authenticate(usernameOrEmail: string, password: string): Promise<UserRecord | null> {
    const { rows } = await this.conn.db.query<UserRecord & { password_hash: string }>(
      `SELECT ${COLUMNS}, u.password_hash FROM users u
       WHERE lower(u.username) = lower($1) OR (u.email <> '' AND lower(u.email) = lower($1))
       ORDER BY (lower(u.username) = lower($1)) DESC LIMIT 1`,
      [usernameOrEmail],
    );
    const row = rows[0];
    // An unknown user costs one hash too, so timing does not tell which usernames exist.
    const matches = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
    if (!row?.is_active || !matches) return null;
    const { rows: updated } = await this.conn.db.query<UserRecord>(
      `UPDATE users AS u SET last_login = now() WHERE u.id = $1 RETURNING ${COLUMNS}`,
      [row.id],
    );
    return updated[0] ?? null;
  }

  async issueToken(userId: number): Promise<string> {
    const key = newApiKey();
    await mapped(
      this.conn.db.query('INSERT INTO api_tokens (key_hash, user_id) VALUES ($1, $2)', [
        apiKeyHash(key),
        userId,
      ]),
    );
    return key;
  }

  async findByToken(key: string): Promise<UserRecord | null> {
    return this.findByKey(key, 't.expires_at IS NULL');
  }

  async issueSession(userId: number, maxAgeSeconds: number): Promise<string> {
    const key = newApiKey();
    await mapped(
      this.conn.db.query(
        `INSERT INTO api_tokens (key_hash, user_id, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))`,
        [apiKeyHash(key), userId, maxAgeSeconds],
      ),
    );
    return key;
  }

  async findBySession(key: string): Promise<UserRecord | null> {
    // As Django's session store: an expired session is no session, whether or not it was deleted yet.
    return this.findByKey(key, 't.expires_at > now()');
  }

  async deleteExpiredSessions(): Promise<number> {
    const { rowCount } = await this.conn.db.query('DELETE FROM api_tokens WHERE expires_at <= now()');
    return rowCount ?? 0;
  }

  private async findByKey(key: string, kind: string): Promise<UserRecord | null> {
    const { rows } = await this.conn.db.query<UserRecord>(
      `SELECT ${COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.key_hash = $1 AND u.is_active AND ${kind}`,
      [apiKeyHash(key)],
    );
    return rows[0] ?? null;
  }

  async revokeToken(key: string): Promise<boolean> {
    const { rowCount } = await this.conn.db.query('DELETE FROM api_tokens WHERE key_hash = $1', [
      apiKeyHash(key),
    ]);
    return (rowCount ?? 0) > 0;
  }

  async ensureAdmin(username: string, password: string): Promise<{ user: UserRecord; created: boolean }> {
    const existing = await this.findByUsername(username);
    if (existing) return { user: existing, created: false };
    try {
      return {
        user: await this.create({ username, password, is_superuser: true, is_staff: true }),
        created: true,
      };
    } catch (err) {
      // Another process created it between our look-up and insert.
      if (!isAppError(err, 'CATALOG_USERNAME_TAKEN')) throw err;
      const user = await this.findByUsername(username);
      if (!user) throw err;
      return { user, created: false };
    }
  }
}
