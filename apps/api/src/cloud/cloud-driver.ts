import type { CloudStorageAccess } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { createDriver, type StorageConfig, type StorageDriver } from '@cvat-backup/storage';

/** What a cloud storage record maps to: one of the storage package's cloud configurations. */
export type CloudDriverConfig = Exclude<StorageConfig, { kind: 'local' }>;

const unsupported = (a: CloudStorageAccess) =>
  new AppError('API_CLOUD_PROVIDER_UNSUPPORTED', {
    provider: a.provider_type,
    credentials: a.credentials_type,
  });

/** Maps a cloud storage record (CVAT's fields, decrypted secrets) to a driver configuration. */
export function driverConfigOf(a: CloudStorageAccess): CloudDriverConfig {
  const { attributes: attr, credentials: c } = a;
  const prefix = attr.prefix ? { prefix: attr.prefix } : {};
  switch (a.provider_type) {
    case 'AWS_S3_BUCKET': {
      const base = {
        kind: 's3' as const,
        bucket: a.resource,
        ...prefix,
        ...(attr.endpoint_url ? { endpoint: attr.endpoint_url } : {}),
        ...(attr.region ? { region: attr.region } : {}),
      };
      if (a.credentials_type === 'ANONYMOUS_ACCESS') return { ...base, anonymous: true };
      if (a.credentials_type === 'KEY_SECRET_KEY_PAIR' && c.key && c.secret_key)
        return {
          ...base,
          credentials: {
            accessKeyId: c.key,
            secretAccessKey: c.secret_key,
            ...(c.session_token ? { sessionToken: c.session_token } : {}),
          },
        };
      throw unsupported(a);
    }
    case 'AZURE_CONTAINER': {
      const base = { kind: 'azure' as const, container: a.resource, ...prefix };
      const endpoint = attr.endpoint_url ? { endpoint: attr.endpoint_url } : {};
      if (a.credentials_type === 'CONNECTION_STRING' && c.connection_string)
        return { ...base, connectionString: c.connection_string };
      if (a.credentials_type === 'ACCOUNT_NAME_TOKEN_PAIR' && c.account_name && c.session_token)
        return { ...base, ...endpoint, accountName: c.account_name, sasToken: c.session_token };
      if (a.credentials_type === 'ANONYMOUS_ACCESS' && c.account_name)
        return { ...base, ...endpoint, accountName: c.account_name, anonymous: true };
      throw unsupported(a);
    }
    case 'GOOGLE_CLOUD_STORAGE': {
      const base = {
        kind: 'gcs' as const,
        bucket: a.resource,
        ...prefix,
        ...(attr.project ? { projectId: attr.project } : {}),
        ...(attr.endpoint_url ? { apiEndpoint: attr.endpoint_url } : {}),
      };
      if (a.credentials_type === 'ANONYMOUS_ACCESS') return base;
      if (a.credentials_type === 'KEY_FILE_PATH' && c.key_file) {
        const key = JSON.parse(c.key_file) as { client_email?: string; private_key?: string };
        if (!key.client_email || !key.private_key) throw unsupported(a);
        return { ...base, credentials: { client_email: key.client_email, private_key: key.private_key } };
      }
      throw unsupported(a);
    }
    default:
      throw unsupported(a);
  }
}

/** Opens the storage driver of a cloud storage record (with its decrypted secrets). */
export function openCloudDriver(access: CloudStorageAccess): StorageDriver {
  return createDriver(driverConfigOf(access));
}
