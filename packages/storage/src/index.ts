export { type AzureConfig, AzureDriver } from './azure/azure.driver.js';
export type { AzureAuth } from './azure/azure-client.js';
export type { TransferOptions } from './core/driver-options.js';
export { KeyScope, validateKey, validateListPrefix } from './core/keys.js';
export type { RetryPolicy } from './core/retry.js';
export { createDriver, type StorageConfig } from './create-driver.js';
export { deleteUnder } from './delete-under.js';
export { type GcsConfig, GcsDriver } from './gcs/gcs.driver.js';
export { type LocalConfig, LocalDriver } from './local/local.driver.js';
export { openRandomAccess, type RandomAccess } from './random-access.js';
export { type S3Config, S3Driver } from './s3/s3.driver.js';
export type {
  AtomicWrite,
  ByteRange,
  CommitResult,
  ListEntry,
  ListOptions,
  ObjectInfo,
  StorageDriver,
  SweepOptions,
  WriteOptions,
} from './storage-driver.js';
