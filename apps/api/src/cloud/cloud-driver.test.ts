import type { CloudStorageAccess } from '@cvat-backup/catalog';
import { describe, expect, it } from 'vitest';
import { driverConfigOf } from './cloud-driver.js';

const access = (over: Partial<CloudStorageAccess>): CloudStorageAccess => ({
  id: 1,
  owner: null,
  manifests: [],
  created_date: new Date(),
  updated_date: new Date(),
  provider_type: 'AWS_S3_BUCKET',
  resource: 'bucket',
  display_name: 'b',
  credentials_type: 'KEY_SECRET_KEY_PAIR',
  specific_attributes: '',
  description: '',
  organization_id: null,
  credentials: {},
  attributes: {},
  ...over,
});

describe('driverConfigOf', () => {
  it('maps S3 key pairs, endpoint, region and prefix; anonymous S3', () => {
    expect(
      driverConfigOf(
        access({
          credentials: { key: 'AK', secret_key: 'SK', session_token: 'ST' },
          attributes: { endpoint_url: 'http://minio:9000', region: 'eu-west-1', prefix: 'media' },
        }),
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'bucket',
      endpoint: 'http://minio:9000',
      region: 'eu-west-1',
      prefix: 'media',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'ST' },
    });
    expect(driverConfigOf(access({ credentials_type: 'ANONYMOUS_ACCESS' }))).toEqual({
      kind: 's3',
      bucket: 'bucket',
      anonymous: true,
    });
  });

  it('maps Azure connection strings, account name + SAS token, and anonymous access', () => {
    const azure = { provider_type: 'AZURE_CONTAINER' as const, resource: 'box' };
    expect(
      driverConfigOf(
        access({ ...azure, credentials_type: 'CONNECTION_STRING', credentials: { connection_string: 'cs' } }),
      ),
    ).toEqual({ kind: 'azure', container: 'box', connectionString: 'cs' });
    expect(
      driverConfigOf(
        access({
          ...azure,
          credentials_type: 'ACCOUNT_NAME_TOKEN_PAIR',
          credentials: { account_name: 'acc', session_token: 'sas' },
        }),
      ),
    ).toEqual({ kind: 'azure', container: 'box', accountName: 'acc', sasToken: 'sas' });
    expect(
      driverConfigOf(
        access({ ...azure, credentials_type: 'ANONYMOUS_ACCESS', credentials: { account_name: 'acc' } }),
      ),
    ).toEqual({ kind: 'azure', container: 'box', accountName: 'acc', anonymous: true });
  });

  it('maps GCS key files and anonymous access with project and endpoint', () => {
    const gcs = {
      provider_type: 'GOOGLE_CLOUD_STORAGE' as const,
      attributes: { project: 'p', endpoint_url: 'http://gcs' },
    };
    const keyFile = JSON.stringify({ client_email: 'a@b', private_key: 'PK', type: 'service_account' });
    expect(
      driverConfigOf(
        access({ ...gcs, credentials_type: 'KEY_FILE_PATH', credentials: { key_file: keyFile } }),
      ),
    ).toEqual({
      kind: 'gcs',
      bucket: 'bucket',
      projectId: 'p',
      apiEndpoint: 'http://gcs',
      credentials: { client_email: 'a@b', private_key: 'PK' },
    });
    expect(driverConfigOf(access({ ...gcs, credentials_type: 'ANONYMOUS_ACCESS' }))).toMatchObject({
      kind: 'gcs',
    });
  });

  it.each([
    ['S3 without a secret', access({ credentials: { key: 'AK' } })],
    ['S3 with a connection string', access({ credentials_type: 'CONNECTION_STRING' })],
    [
      'Azure without credentials',
      access({ provider_type: 'AZURE_CONTAINER', credentials_type: 'CONNECTION_STRING' }),
    ],
    [
      'GCS key file without a key',
      access({
        provider_type: 'GOOGLE_CLOUD_STORAGE',
        credentials_type: 'KEY_FILE_PATH',
        credentials: { key_file: '{}' },
      }),
    ],
    ['Google Drive', access({ provider_type: 'GOOGLE_DRIVE' })],
  ])('refuses %s with API_CLOUD_PROVIDER_UNSUPPORTED, naming no secret', (_name, a) => {
    let error: unknown;
    try {
      driverConfigOf(a);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'API_CLOUD_PROVIDER_UNSUPPORTED', status: 400 });
    expect(String((error as Error).message)).not.toContain('AK');
  });
});
