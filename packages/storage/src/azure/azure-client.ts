import {
  AnonymousCredential,
  BlobServiceClient,
  type StoragePipelineOptions,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { AppError } from '@cvat-backup/common';

/** How to reach and authenticate to the blob service; exactly one way is used. */
export interface AzureAuth {
  /** A full connection string (CVAT's CONNECTION_STRING). */
  connectionString?: string;
  /** Account name, with `accountKey` (shared key) or `sasToken` (CVAT's ACCOUNT_NAME_TOKEN_PAIR). */
  accountName?: string;
  accountKey?: string;
  sasToken?: string;
  /** A service URL that carries its SAS in the query string. */
  sasUrl?: string;
  /** The blob endpoint; default `https://<accountName>.blob.core.windows.net`. */
  endpoint?: string;
  /** Unauthenticated access to a public container. */
  anonymous?: boolean;
}

/** Builds the service client from whichever credentials the config holds. */
export function azureServiceClient(auth: AzureAuth, options: StoragePipelineOptions): BlobServiceClient {
  const endpoint =
    auth.endpoint ?? (auth.accountName ? `https://${auth.accountName}.blob.core.windows.net` : undefined);
  if (auth.connectionString) return BlobServiceClient.fromConnectionString(auth.connectionString, options);
  if (auth.sasUrl) return new BlobServiceClient(auth.sasUrl, new AnonymousCredential(), options);
  if (endpoint && auth.accountName && auth.accountKey)
    return new BlobServiceClient(
      endpoint,
      new StorageSharedKeyCredential(auth.accountName, auth.accountKey),
      options,
    );
  if (endpoint && auth.sasToken)
    return new BlobServiceClient(
      `${endpoint}?${auth.sasToken.replace(/^\?/, '')}`,
      new AnonymousCredential(),
      options,
    );
  if (endpoint && auth.anonymous) return new BlobServiceClient(endpoint, new AnonymousCredential(), options);
  throw new AppError('STORAGE_CONFIG_INVALID', {
    problems:
      'azure: give connectionString, sasUrl, accountName with accountKey or sasToken, or an endpoint with anonymous',
  });
}
