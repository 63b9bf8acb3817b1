import type { CloudStorageAccess } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { StorageConfig } from '@cvat-backup/storage';

const unsupported = (access: CloudStorageAccess, reason: string) =>
  new AppError('BACKUP_CLOUD_STORAGE_UNUSABLE', { id: access.id, name: access.display_name, reason });

/**
 * A CVAT cloud-storage record (provider, resource, credentials type, `specific_attributes`) as the
 * configuration of a storage driver. `endpoint_url` is honoured for every provider (S3-compatible
 * servers, Azure sovereign clouds and emulators, GCS emulators); `prefix` scopes every key.
 */
export function cloudStorageConfig(access: CloudStorageAccess): StorageConfig {
  const { attributes: attr, credentials: secret } = access;
  const common = attr.prefix ? { prefix: attr.prefix } : {};
  const endpoint = attr.endpoint_url;
  switch (access.provider_type) {
    case 'AWS_S3_BUCKET': {
      const base = {
        kind: 's3' as const,
        bucket: access.resource,
        ...common,
        ...(endpoint ? { endpoint } : {}),
        ...(attr.region ? { region: attr.region } : {}),
      };
      if (access.credentials_type === 'ANONYMOUS_ACCESS') return { ...base, anonymous: true };
      if (access.credentials_type === 'KEY_SECRET_KEY_PAIR' && secret.key && secret.secret_key) {
        return {
          ...base,
          credentials: {
            accessKeyId: secret.key,
            secretAccessKey: secret.secret_key,
            ...(secret.session_token ? { sessionToken: secret.session_token } : {}),
          },
        };
      }
      throw unsupported(
        access,
        `an S3 bucket needs a key pair or anonymous access, not ${access.credentials_type} without its secrets`,
      );
    }
    case 'AZURE_CONTAINER': {
      const base = {
        kind: 'azure' as const,
        container: access.resource,
        ...common,
        ...(endpoint ? { endpoint } : {}),
      };
      if (access.credentials_type === 'CONNECTION_STRING' && secret.connection_string)
        return { ...base, connectionString: secret.connection_string };
      if (
        access.credentials_type === 'ACCOUNT_NAME_TOKEN_PAIR' &&
        secret.account_name &&
        secret.session_token
      ) {
        return { ...base, accountName: secret.account_name, sasToken: secret.session_token };
      }
      if (access.credentials_type === 'ANONYMOUS_ACCESS' && secret.account_name)
        return { ...base, accountName: secret.account_name, anonymous: true };
      throw unsupported(
        access,
        `an Azure container needs a connection string, an account name with a SAS token, or an account name for anonymous access`,
      );
    }
    case 'GOOGLE_CLOUD_STORAGE': {
      const base = {
        kind: 'gcs' as const,
        bucket: access.resource,
        ...common,
        ...(attr.project ? { projectId: attr.project } : {}),
        ...(endpoint ? { apiEndpoint: endpoint } : {}),
      };
      if (access.credentials_type === 'ANONYMOUS_ACCESS') return base;
      if (access.credentials_type === 'KEY_FILE_PATH' && secret.key_file) {
        let key: { client_email?: unknown; private_key?: unknown };
        try {
          key = JSON.parse(secret.key_file) as typeof key;
        } catch {
          throw unsupported(access, 'its key file is not JSON');
        }
        if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string')
          throw unsupported(access, 'its key file has no client_email and private_key');
        return { ...base, credentials: { client_email: key.client_email, private_key: key.private_key } };
      }
      throw unsupported(access, 'a GCS bucket needs a service-account key file or anonymous access');
    }
    default:
      throw unsupported(access, `provider ${access.provider_type} has no storage driver`);
  }
}
