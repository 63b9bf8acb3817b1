import type { DataRecord } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { StorageDriver } from '@cvat-backup/storage';
import type { ApiServices } from '../http/api-services.js';

/** A driver for reading a task's media and how to let it go (cloud drivers are per request). */
export interface MediaSource {
  driver: StorageDriver;
  release(): Promise<void>;
}

/**
 * Where a task's media are read from: the local media storage, or the attached cloud storage. Data
 * in a cloud with no cloud storage attached (restored from a lightweight backup) cannot be read.
 */
export async function openMediaSource(services: ApiServices, data: DataRecord): Promise<MediaSource> {
  if (data.storage !== 'cloud_storage') return { driver: services.localMedia, release: async () => {} };
  if (data.cloud_storage_id === null)
    throw new AppError('API_CLOUD_STORAGE_DETACHED', { taskId: data.task_id });
  return openCloudStorage(services, data.cloud_storage_id);
}

/** Opens a cloud storage by id (no ownership check: callers checked visibility). */
export async function openCloudStorage(services: ApiServices, id: number): Promise<MediaSource> {
  const access = await services.catalog.cloudStorages.access(id);
  if (!access) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'cloud storage', id });
  const driver = services.openCloudStorage(access);
  return { driver, release: () => driver.close() };
}

/** Opens a cloud storage and proves it answers, as CVAT checks a storage's status before using it. */
export async function openAvailableCloudStorage(
  services: ApiServices,
  id: number,
  displayName: string,
): Promise<MediaSource> {
  const source = await openCloudStorage(services, id);
  try {
    await source.driver.test();
    return source;
  } catch (err) {
    await source.release().catch(() => undefined);
    throw new AppError(
      'API_CLOUD_STORAGE_UNAVAILABLE',
      { name: displayName, reason: err instanceof AppError ? err.code : 'it did not answer' },
      { cause: err },
    );
  }
}
