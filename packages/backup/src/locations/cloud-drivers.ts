import type { Catalog } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { createDriver, type StorageDriver } from '@cvat-backup/storage';
import { cloudStorageConfig } from './cloud-storage-config.js';

/**
 * Opens and caches the driver of each cloud storage a process uses. A record changed since its driver
 * was made (new credentials, say) gets a fresh driver; the old one is closed.
 */
export class CloudDrivers {
  private readonly open = new Map<number, { updated: number; driver: StorageDriver }>();

  constructor(private readonly catalog: Catalog) {}

  /** The driver of cloud storage `id`; a deleted one is a coded, permanent error. */
  readonly get = async (id: number): Promise<StorageDriver> => {
    const access = await this.catalog.cloudStorages.access(id);
    if (!access) throw new AppError('BACKUP_CLOUD_STORAGE_NOT_FOUND', { id });
    const cached = this.open.get(id);
    if (cached && cached.updated === access.updated_date.getTime()) return cached.driver;
    const driver = createDriver(cloudStorageConfig(access));
    this.open.set(id, { updated: access.updated_date.getTime(), driver });
    if (cached) await cached.driver.close().catch(() => {});
    return driver;
  };

  async closeAll(): Promise<void> {
    const drivers = [...this.open.values()].map((e) => e.driver);
    this.open.clear();
    await Promise.allSettled(drivers.map((d) => d.close()));
  }
}
