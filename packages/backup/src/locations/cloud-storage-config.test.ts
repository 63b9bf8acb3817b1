import type { CloudStorageAccess } from '@cvat-backup/catalog';
import { describe, expect, it } from 'vitest';
import { cloudStorageConfig } from './cloud-storage-config.js';

const access = (over: Partial<CloudStorageAccess>): CloudStorageAccess => ({
  id: 7,
  owner: null,
  manifests: [],
  created_date: new Date(0),
  updated_date: new Date(0),
  provider_type: 'AWS_S3_BUCKET',
  resource: 'bucket',
  display_name: 'My bucket',
  credentials_type: 'KEY_SECRET_KEY_PAIR',
  specific_attributes: '',
  description: '',
  organization_id: null,
  credentials: {},
  attributes: {},
  ...over,
});

describe('cloudStorageConfig', () => {
  it('maps an S3 key pair with endpoint, region and prefix', () => {
    expect(
      cloudStorageConfig(
        access({
          credentials: { key: 'AK', secret_key: 'SK' },
          attributes: { endpoint_url: 'http://minio:9000', region: 'eu-1', prefix: 'p/' },
        }),
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'bucket',
      prefix: 'p/',
      endpoint: 'http://minio:9000',
      region: 'eu-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    });
  });

  it('maps anonymous S3, Azure connection strings and SAS pairs, GCS key files and anonymous GCS', () => {
    expect(cloudStorageConfig(access({ credentials_type: 'ANONYMOUS_ACCESS' }))).toEqual({
      kind: 's3',
      bucket: 'bucket',
      anonymous: true,
    });
    expect(
      cloudStorageConfig(
        access({
          provider_type: 'AZURE_CONTAINER',
          resource: 'c',
          credentials_type: 'CONNECTION_STRING',
          credentials: { connection_string: 'cs' },
        }),
      ),
    ).toEqual({
      kind: 'azure',
      container: 'c',
      connectionString: 'cs',
    });
    expect(
      cloudStorageConfig(
        access({
          provider_type: 'AZURE_CONTAINER',
          resource: 'c',
          credentials_type: 'ACCOUNT_NAME_TOKEN_PAIR',
          credentials: { account_name: 'acc', session_token: 'sv=1&sig=x' },
        }),
      ),
    ).toEqual({ kind: 'azure', container: 'c', accountName: 'acc', sasToken: 'sv=1&sig=x' });
    const keyFile = JSON.stringify({
      client_email: 'sa@p.iam',
      private_key: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n',
    });
    expect(
      cloudStorageConfig(
        access({
          provider_type: 'GOOGLE_CLOUD_STORAGE',
          credentials_type: 'KEY_FILE_PATH',
          credentials: { key_file: keyFile },
          attributes: { project: 'proj' },
        }),
      ),
    ).toMatchObject({
      kind: 'gcs',
      bucket: 'bucket',
      projectId: 'proj',
      credentials: { client_email: 'sa@p.iam' },
    });
    expect(
      cloudStorageConfig(
        access({
          provider_type: 'GOOGLE_CLOUD_STORAGE',
          credentials_type: 'ANONYMOUS_ACCESS',
          attributes: { endpoint_url: 'http://gcs:4443' },
        }),
      ),
    ).toEqual({
      kind: 'gcs',
      bucket: 'bucket',
      apiEndpoint: 'http://gcs:4443',
    });
  });

  it.each([
    ['an S3 record without its secret', access({ credentials: { key: 'AK' } })],
    [
      'an Azure SAS pair without a token',
      access({
        provider_type: 'AZURE_CONTAINER',
        credentials_type: 'ACCOUNT_NAME_TOKEN_PAIR',
        credentials: { account_name: 'a' },
      }),
    ],
    [
      'a GCS key file that is not JSON',
      access({
        provider_type: 'GOOGLE_CLOUD_STORAGE',
        credentials_type: 'KEY_FILE_PATH',
        credentials: { key_file: 'not json' },
      }),
    ],
    ['Google Drive', access({ provider_type: 'GOOGLE_DRIVE' })],
  ])('refuses %s with a coded error that names the storage, not its secrets', (_what, record) => {
    let error: unknown;
    try {
      cloudStorageConfig(record);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: 'BACKUP_CLOUD_STORAGE_UNUSABLE',
      status: 400,
      message: expect.stringContaining('"My bucket"'),
    });
    expect((error as Error).message).not.toMatch(/AK|sig=|not json/);
  });
});
