import { AppError } from '@cvat-backup/common';
import { type AzureConfig, AzureDriver } from './azure/azure.driver.js';
import { type GcsConfig, GcsDriver } from './gcs/gcs.driver.js';
import { type LocalConfig, LocalDriver } from './local/local.driver.js';
import { type S3Config, S3Driver } from './s3/s3.driver.js';
import type { StorageDriver } from './storage-driver.js';

/** Plain-data configuration of one storage; `kind` picks the driver. */
export type StorageConfig = LocalConfig | S3Config | AzureConfig | GcsConfig;

/** Builds the driver for a configuration; an unknown kind is a `STORAGE_CONFIG_INVALID`. */
export function createDriver(config: StorageConfig): StorageDriver {
  switch (config.kind) {
    case 'local':
      return new LocalDriver(config);
    case 's3':
      return new S3Driver(config);
    case 'azure':
      return new AzureDriver(config);
    case 'gcs':
      return new GcsDriver(config);
    default:
      throw new AppError('STORAGE_CONFIG_INVALID', {
        problems: `unknown storage kind "${String((config as { kind?: unknown }).kind)}"`,
      });
  }
}
