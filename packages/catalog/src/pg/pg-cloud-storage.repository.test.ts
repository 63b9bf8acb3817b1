import { isAppError } from '@cvat-backup/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodeOf,
  openTestCatalog,
  seedOwnerOtherAdmin,
  type TestCatalog,
} from '../../test/catalog-fixture.js';
import type { NewCloudStorage } from '../repositories/cloud-storage.repository.js';
import type { Actor } from '../repositories/common.types.js';

let t: TestCatalog;
let owner: Actor;
let other: Actor;
let admin: Actor;
beforeAll(async () => {
  t = await openTestCatalog();
  [owner, other, admin] = await seedOwnerOtherAdmin(t.catalog);
});
afterAll(async () => {
  await t.close();
});

const s3: NewCloudStorage = {
  provider_type: 'AWS_S3_BUCKET',
  resource: 'my-bucket',
  display_name: 'Bucket',
  credentials_type: 'KEY_SECRET_KEY_PAIR',
  credentials: { key: 'AKIAEXAMPLEKEY', secret_key: 'VERY-SECRET-VALUE' },
  specific_attributes: 'region=eu-central-1&endpoint_url=http%3A%2F%2Fminio%3A9000',
  manifests: ['manifest.jsonl'],
};

describe('cloud storages', () => {
  it('creates a cloud storage in CVAT’s read shape with no secret anywhere in it', async () => {
    const cs = await t.catalog.cloudStorages.create(owner, s3);
    expect(cs).toEqual({
      id: expect.any(Number),
      owner: expect.objectContaining({ id: owner.id }),
      manifests: ['manifest.jsonl'],
      created_date: expect.any(Date),
      updated_date: expect.any(Date),
      provider_type: 'AWS_S3_BUCKET',
      resource: 'my-bucket',
      display_name: 'Bucket',
      credentials_type: 'KEY_SECRET_KEY_PAIR',
      specific_attributes: 'region=eu-central-1&endpoint_url=http%3A%2F%2Fminio%3A9000',
      description: '',
      organization_id: null,
    });
    const listed = await t.catalog.cloudStorages.list(owner);
    expect(JSON.stringify([cs, listed, await t.catalog.cloudStorages.get(owner, cs.id)])).not.toMatch(
      /VERY-SECRET|AKIAEXAMPLE/,
    );
  });

  it('encrypts credentials at rest and decrypts them for workers', async () => {
    const cs = await t.catalog.cloudStorages.create(owner, s3);
    const { rows } = await t.pool.query<{ credentials: Buffer }>(
      'SELECT credentials FROM cloud_storages WHERE id = $1',
      [cs.id],
    );
    expect(rows[0]!.credentials.includes(Buffer.from('VERY-SECRET'))).toBe(false);
    expect(rows[0]!.credentials.includes(Buffer.from('AKIAEXAMPLE'))).toBe(false);
    const access = await t.catalog.cloudStorages.access(cs.id);
    expect(access?.credentials).toEqual({ key: 'AKIAEXAMPLEKEY', secret_key: 'VERY-SECRET-VALUE' });
    expect(access?.attributes).toEqual({ region: 'eu-central-1', endpoint_url: 'http://minio:9000' });
    expect(await t.catalog.cloudStorages.access(424242)).toBeNull();
  });

  it('detects credentials altered in the database or moved to another row', async () => {
    const a = await t.catalog.cloudStorages.create(owner, s3);
    const b = await t.catalog.cloudStorages.create(owner, {
      ...s3,
      credentials: { key: 'K2', secret_key: 'S2' },
    });
    await t.pool.query(
      `UPDATE cloud_storages SET credentials = overlay(credentials placing '\\x00'::bytea from 40) WHERE id = $1`,
      [a.id],
    );
    const err = await t.catalog.cloudStorages.access(a.id).catch((e: Error) => e);
    expect(isAppError(err, 'CATALOG_CREDENTIALS_UNREADABLE')).toBe(true);
    expect((err as Error).message).not.toContain('SECRET');
    await t.pool.query(
      'UPDATE cloud_storages SET credentials = (SELECT credentials FROM cloud_storages WHERE id = $2) WHERE id = $1',
      [a.id, b.id],
    );
    expect(await errorCodeOf(t.catalog.cloudStorages.access(a.id))).toBe('CATALOG_CREDENTIALS_UNREADABLE');
    expect((await t.catalog.cloudStorages.access(b.id))?.credentials.key).toBe('K2');
  });

  it('merges patched secrets, replaces them when the credentials type changes, and keeps anonymous storages secret-free', async () => {
    const cs = await t.catalog.cloudStorages.create(owner, s3);
    await t.catalog.cloudStorages.update(owner, cs.id, {
      credentials: { secret_key: 'ROTATED' },
      description: 'rotated',
    });
    expect((await t.catalog.cloudStorages.access(cs.id))?.credentials).toEqual({
      key: 'AKIAEXAMPLEKEY',
      secret_key: 'ROTATED',
    });
    const anon = await t.catalog.cloudStorages.update(owner, cs.id, { credentials_type: 'ANONYMOUS_ACCESS' });
    expect(anon?.credentials_type).toBe('ANONYMOUS_ACCESS');
    expect((await t.catalog.cloudStorages.access(cs.id))?.credentials).toEqual({});
    const { rows } = await t.pool.query('SELECT credentials FROM cloud_storages WHERE id = $1', [cs.id]);
    expect(rows[0]).toEqual({ credentials: null });
    const azure = await t.catalog.cloudStorages.create(owner, {
      provider_type: 'AZURE_CONTAINER',
      resource: 'container',
      display_name: 'Azure',
      credentials_type: 'CONNECTION_STRING',
      credentials: { connection_string: 'DefaultEndpointsProtocol=http;AccountKey=abc==' },
    });
    expect((await t.catalog.cloudStorages.access(azure.id))?.credentials.connection_string).toContain(
      'AccountKey=abc==',
    );
  });

  it('refuses malformed specific attributes and unknown providers', async () => {
    for (const specific_attributes of ['region', 'a=b=c', 'prefix=/abs', 'prefix=a//b', 'x=%E0%A4%A'])
      expect(
        await errorCodeOf(t.catalog.cloudStorages.create(owner, { ...s3, specific_attributes })),
        specific_attributes,
      ).toBe('CATALOG_INVALID_VALUE');
    expect(
      await errorCodeOf(
        t.catalog.cloudStorages.create(owner, { ...s3, provider_type: 'DROPBOX' as 'AWS_S3_BUCKET' }),
      ),
    ).toBe('CATALOG_INVALID_VALUE');
    const cs = await t.catalog.cloudStorages.create(owner, s3);
    expect(
      await errorCodeOf(t.catalog.cloudStorages.update(owner, cs.id, { specific_attributes: 'bad' })),
    ).toBe('CATALOG_INVALID_VALUE');
  });

  it('shows a cloud storage to its owner and admins only, with CVAT list filters', async () => {
    const cs = await t.catalog.cloudStorages.create(owner, { ...s3, display_name: 'Findable' });
    expect(await t.catalog.cloudStorages.get(other, cs.id)).toBeNull();
    expect(await t.catalog.cloudStorages.update(other, cs.id, { description: 'x' })).toBeNull();
    expect(await t.catalog.cloudStorages.delete(other, cs.id)).toBe(false);
    expect((await t.catalog.cloudStorages.list(other)).count).toBe(0);
    expect((await t.catalog.cloudStorages.get(admin, cs.id))?.display_name).toBe('Findable');
    const found = await t.catalog.cloudStorages.list(owner, {
      filters: { name: 'Findable', provider_type: 'AWS_S3_BUCKET' },
    });
    expect(found.results.map((c) => c.id)).toEqual([cs.id]);
    expect(await t.catalog.cloudStorages.delete(owner, cs.id)).toBe(true);
    expect(await t.catalog.cloudStorages.get(owner, cs.id)).toBeNull();
  });
});
