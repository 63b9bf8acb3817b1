import type { Actor, CloudStorageRepository, StorageSetting } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { Location } from '@cvat-backup/queue';
import { queryBool, queryId } from './backup.schemas.js';

/** The location parameters of a backup request, as sent. */
export interface LocationQuery {
  location?: string | undefined;
  cloud_storage_id?: string | undefined;
  use_default_location?: string | undefined;
}

/**
 * Where an export goes or an import comes from (format doc §10.1): explicit `location` (+
 * `cloud_storage_id`) wins; cvat-core's legacy `use_default_location=false` means "the query, with
 * `local` as default"; otherwise the resource's own setting (`target_storage` for exports), and for
 * imports, which have no resource yet, `local`. A cloud storage must exist and be visible to the
 * actor, checked here so nothing is queued for a storage the worker could not open.
 */
export async function resolveLocation(
  cloudStorages: CloudStorageRepository,
  actor: Actor,
  query: LocationQuery,
  resourceSetting: StorageSetting | null | undefined,
  direction: 'destination' | 'source',
): Promise<Location> {
  const useDefault = queryBool(query.use_default_location, 'use_default_location', true);
  const explicit = query.location !== undefined || !useDefault;
  let location: string;
  let cloudStorageId: number | undefined;
  if (explicit) {
    location = query.location ?? 'local';
    cloudStorageId = queryId(query.cloud_storage_id, 'cloud_storage_id');
  } else {
    location = resourceSetting?.location ?? 'local';
    cloudStorageId = resourceSetting?.cloud_storage_id ?? undefined;
  }
  if (location === 'local') return { location: 'local' };
  if (location !== 'cloud_storage')
    throw new AppError('BACKUP_API_LOCATION_INVALID', { location, field: 'location' });
  if (cloudStorageId === undefined)
    throw new AppError('BACKUP_API_CLOUD_STORAGE_ID_MISSING', { direction, field: 'cloud_storage_id' });
  const record = await cloudStorages.get(actor, cloudStorageId);
  if (!record) throw new AppError('BACKUP_API_CLOUD_STORAGE_NOT_FOUND', { id: cloudStorageId });
  return { location: 'cloud_storage', cloudStorageId: record.id };
}
