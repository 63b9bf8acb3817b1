import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createS3Bucket, testServices } from '@cvat-backup/testkit';
import { describe, expect, it } from 'vitest';
import { AzureDriver } from './azure/azure.driver.js';
import { readAll } from './contract/test-data.js';
import { createDriver, type StorageConfig } from './create-driver.js';
import { GcsDriver } from './gcs/gcs.driver.js';
import { LocalDriver } from './local/local.driver.js';
import { S3Driver } from './s3/s3.driver.js';

describe('createDriver', () => {
  it('builds the driver of each kind from plain data', () => {
    const { s3, azure, gcs } = testServices();
    expect(createDriver({ kind: 'local', root: tmpdir() })).toBeInstanceOf(LocalDriver);
    expect(createDriver({ kind: 's3', bucket: 'b', endpoint: s3.endpoint })).toBeInstanceOf(S3Driver);
    expect(
      createDriver({ kind: 'azure', container: 'c', connectionString: azure.connectionString }),
    ).toBeInstanceOf(AzureDriver);
    expect(
      createDriver({ kind: 'azure', container: 'c', accountName: 'acct', sasToken: '?sv=1&sig=x' }),
    ).toBeInstanceOf(AzureDriver);
    expect(createDriver({ kind: 'gcs', bucket: 'b', apiEndpoint: gcs.endpoint })).toBeInstanceOf(GcsDriver);
  });

  it('refuses unknown kinds and invalid settings with STORAGE_CONFIG_INVALID', () => {
    const bad: unknown[] = [
      { kind: 'ftp' },
      { kind: 's3', bucket: '' },
      { kind: 's3', bucket: 'b', queueSize: 0 },
      { kind: 's3', bucket: 'b', partSize: -1 },
      { kind: 'azure', container: 'c' },
      { kind: 'gcs', bucket: 'b', retry: { attempts: 0 } },
    ];
    for (const config of bad)
      expect(() => createDriver(config as StorageConfig), JSON.stringify(config)).toThrow(
        expect.objectContaining({ code: 'STORAGE_CONFIG_INVALID' }),
      );
  });

  it('never puts a secret into a driver description', () => {
    const { azure } = testServices();
    const driver = createDriver({ kind: 'azure', container: 'c', connectionString: azure.connectionString });
    expect(driver.description).not.toContain(azure.accountKey);
    const s3 = createDriver({
      kind: 's3',
      bucket: 'b',
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'very-secret' },
    });
    expect(s3.description).not.toContain('very-secret');
  });

  it('scopes an S3 driver under its prefix', async () => {
    const { s3 } = testServices();
    const bucket = await createS3Bucket();
    const base = {
      kind: 's3' as const,
      bucket: bucket.name,
      endpoint: s3.endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    };
    const whole = createDriver(base);
    const scoped = createDriver({ ...base, prefix: 'exports/' });
    try {
      const write = scoped.openWrite('t1.zip');
      write.end(Buffer.from('zip'));
      await write.commit();
      expect((await readAll(await whole.read('exports/t1.zip'))).toString()).toBe('zip');
      const keys: string[] = [];
      for await (const page of scoped.list('')) keys.push(...page.map((e) => e.key));
      expect(keys).toEqual(['t1.zip']);
      await scoped.delete('t1.zip');
    } finally {
      await bucket.remove();
      await whole.close();
      await scoped.close();
    }
  });

  it('makes a local root test() fail when the directory is missing', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cvb-cd-'));
    await rm(root, { recursive: true });
    await expect(createDriver({ kind: 'local', root }).test()).rejects.toMatchObject({
      code: 'STORAGE_BUCKET_NOT_FOUND',
    });
  });
});
