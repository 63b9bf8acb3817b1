import { isAppError } from '@cvat-backup/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCatalog, type TestCatalog } from '../../test/catalog-fixture.js';
import { actorOf } from '../repositories/user.repository.js';

let t: TestCatalog;
beforeAll(async () => {
  t = await openTestCatalog();
});
afterAll(async () => {
  await t.close();
});

const rejectsWith = async (p: Promise<unknown>, code: Parameters<typeof isAppError>[1]) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(err, code), String(err)).toBe(true);
  return err as Error;
};

describe('PgUserRepository', () => {
  it('creates a user without exposing the password hash', async () => {
    const user = await t.catalog.users.create({
      username: 'alice',
      password: 'pw-alice',
      email: 'alice@x.io',
      first_name: 'Alice',
    });
    expect(user).toMatchObject({
      username: 'alice',
      email: 'alice@x.io',
      first_name: 'Alice',
      is_superuser: false,
      is_active: true,
    });
    expect(Object.keys(user)).not.toContain('password_hash');
    const { rows } = await t.pool.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1',
      [user.id],
    );
    expect(rows[0]?.password_hash).toMatch(/^scrypt\$/);
    expect(rows[0]?.password_hash).not.toContain('pw-alice');
  });

  it('refuses a username or e-mail taken by someone else, ignoring case', async () => {
    await t.catalog.users.create({ username: 'bob', password: 'pw', email: 'bob@x.io' });
    const err = await rejectsWith(
      t.catalog.users.create({ username: 'BOB', password: 'pw' }),
      'CATALOG_USERNAME_TAKEN',
    );
    expect(err.message).toContain('BOB');
    await rejectsWith(
      t.catalog.users.create({ username: 'bob2', password: 'pw', email: 'Bob@X.io' }),
      'CATALOG_EMAIL_TAKEN',
    );
    const carol = await t.catalog.users.create({ username: 'carol', password: 'pw' });
    await rejectsWith(t.catalog.users.update(carol.id, { email: 'bob@x.io' }), 'CATALOG_EMAIL_TAKEN');
  });

  it('authenticates by username or e-mail, and says nothing more for a wrong password, unknown or inactive user', async () => {
    const dan = await t.catalog.users.create({ username: 'dan', password: 'pw-dan', email: 'dan@x.io' });
    const byName = await t.catalog.users.authenticate('dan', 'pw-dan');
    expect(byName?.id).toBe(dan.id);
    expect(byName?.last_login).toBeInstanceOf(Date);
    expect((await t.catalog.users.authenticate('DAN@x.io', 'pw-dan'))?.id).toBe(dan.id);
    expect(await t.catalog.users.authenticate('dan', 'wrong')).toBeNull();
    expect(await t.catalog.users.authenticate('nobody', 'pw-dan')).toBeNull();
    await t.catalog.users.update(dan.id, { is_active: false });
    expect(await t.catalog.users.authenticate('dan', 'pw-dan')).toBeNull();
  });

  it('issues 40-hex API keys, finds the user by key, stores only a hash, and revokes', async () => {
    const erin = await t.catalog.users.create({ username: 'erin', password: 'pw' });
    const key = await t.catalog.users.issueToken(erin.id);
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect((await t.catalog.users.findByToken(key))?.username).toBe('erin');
    const { rows } = await t.pool.query<{ key_hash: Buffer }>(
      'SELECT key_hash FROM api_tokens WHERE user_id = $1',
      [erin.id],
    );
    expect(rows[0]?.key_hash.toString('hex')).not.toContain(key);
    expect(await t.catalog.users.findByToken('0'.repeat(40))).toBeNull();
    expect(await t.catalog.users.revokeToken(key)).toBe(true);
    expect(await t.catalog.users.findByToken(key)).toBeNull();
    expect(await t.catalog.users.revokeToken(key)).toBe(false);
  });

  it('keeps sessions apart from API keys: a session expires, an API key never does', async () => {
    const gil = await t.catalog.users.create({ username: 'gil', password: 'pw' });
    const token = await t.catalog.users.issueToken(gil.id);
    const session = await t.catalog.users.issueSession(gil.id, 3600);
    expect(session).toMatch(/^[0-9a-f]{40}$/);
    expect((await t.catalog.users.findBySession(session))?.username).toBe('gil');
    // Neither key works as the other kind (CVAT keeps Django sessions and DRF tokens apart).
    expect(await t.catalog.users.findByToken(session)).toBeNull();
    expect(await t.catalog.users.findBySession(token)).toBeNull();
    const { rows } = await t.pool.query<{ kind: string; left: number | null }>(
      `SELECT CASE WHEN expires_at IS NULL THEN 'token' ELSE 'session' END AS kind,
              extract(epoch FROM expires_at - now())::float8 AS left
       FROM api_tokens WHERE user_id = $1 ORDER BY kind`,
      [gil.id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]?.kind).toBe('session');
    expect(rows[0]?.left).toBeGreaterThan(3500);
    expect(rows[0]?.left).toBeLessThanOrEqual(3600);
    expect(rows[1]).toEqual({ kind: 'token', left: null });

    await t.pool.query(
      `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND expires_at IS NOT NULL`,
      [gil.id],
    );
    const fresh = await t.catalog.users.issueSession(gil.id, 3600);
    expect(await t.catalog.users.findBySession(session)).toBeNull();
    expect(await t.catalog.users.deleteExpiredSessions()).toBeGreaterThanOrEqual(1);
    const left = await t.pool.query('SELECT 1 FROM api_tokens WHERE user_id = $1', [gil.id]);
    expect(left.rowCount).toBe(2);
    expect((await t.catalog.users.findBySession(fresh))?.username).toBe('gil');
    expect((await t.catalog.users.findByToken(token))?.username).toBe('gil');
    expect(await t.catalog.users.revokeToken(fresh)).toBe(true);
    expect(await t.catalog.users.findBySession(fresh)).toBeNull();
  });

  it('revokes all tokens of a user whose password changes, and ignores tokens of inactive users', async () => {
    const fay = await t.catalog.users.create({ username: 'fay', password: 'old' });
    const key = await t.catalog.users.issueToken(fay.id);
    await t.catalog.users.update(fay.id, { password: 'new' });
    expect(await t.catalog.users.findByToken(key)).toBeNull();
    expect(await t.catalog.users.authenticate('fay', 'new')).not.toBeNull();
    const key2 = await t.catalog.users.issueToken(fay.id);
    await t.catalog.users.update(fay.id, { is_active: false });
    expect(await t.catalog.users.findByToken(key2)).toBeNull();
  });

  it('ensureAdmin creates the admin once, also when processes race, and never resets a password', async () => {
    const results = await Promise.all([
      t.catalog.users.ensureAdmin('root', 'pw-root'),
      t.catalog.users.ensureAdmin('root', 'pw-root'),
      t.catalog.users.ensureAdmin('root', 'pw-root'),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
    expect(results[0]?.user).toMatchObject({ is_superuser: true, is_staff: true });
    const again = await t.catalog.users.ensureAdmin('root', 'other');
    expect(again.created).toBe(false);
    expect(await t.catalog.users.authenticate('root', 'pw-root')).not.toBeNull();
    expect(await t.catalog.users.authenticate('root', 'other')).toBeNull();
  });

  it('lists everybody for admins and only oneself for others; deletes', async () => {
    const admin = (await t.catalog.users.ensureAdmin('root', 'pw-root')).user;
    const gus = await t.catalog.users.create({ username: 'gus', password: 'pw' });
    const all = await t.catalog.users.list(actorOf(admin), { pageSize: 'all' });
    expect(all.count).toBeGreaterThanOrEqual(7);
    expect(all.results.map((u) => u.username)).toContain('gus');
    const own = await t.catalog.users.list(actorOf(gus));
    expect(own).toEqual({ count: 1, results: [expect.objectContaining({ username: 'gus' })] });
    const filtered = await t.catalog.users.list(actorOf(admin), { filters: { username: 'gus' } });
    expect(filtered.results.map((u) => u.id)).toEqual([gus.id]);
    expect(await t.catalog.users.delete(gus.id)).toBe(true);
    expect(await t.catalog.users.get(gus.id)).toBeNull();
    expect(await t.catalog.users.delete(gus.id)).toBe(false);
    expect(await t.catalog.users.update(gus.id, { first_name: 'x' })).toBeNull();
  });
});
