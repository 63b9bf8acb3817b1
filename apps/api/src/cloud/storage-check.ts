import {
  type CloudStorageAccess,
  type CloudStorageRecord,
  parseSpecificAttributes,
} from '@cvat-backup/catalog';
import { isAppError } from '@cvat-backup/common';
import type { ApiServices } from '../http/api-services.js';
import { fieldError } from '../http/validate.js';

export type StorageStatus = 'AVAILABLE' | 'NOT_FOUND' | 'FORBIDDEN';

/** A record plus secrets as the driver factory takes it, for a storage not saved yet. */
export function accessOf(
  record: Omit<CloudStorageRecord, 'id' | 'owner' | 'created_date' | 'updated_date' | 'organization_id'>,
  credentials: Record<string, string>,
): CloudStorageAccess {
  const attributes = parseSpecificAttributes(record.specific_attributes);
  if (typeof attributes === 'string')
    throw fieldError(['specific_attributes'], `Invalid specific attributes: ${attributes}`);
  const now = new Date();
  return {
    ...record,
    id: 0,
    owner: null,
    created_date: now,
    updated_date: now,
    organization_id: null,
    credentials,
    attributes,
  };
}

/** CVAT's bucket status: one round trip with the storage's own credentials. */
export async function storageStatus(
  services: ApiServices,
  access: CloudStorageAccess,
): Promise<StorageStatus> {
  const driver = services.openCloudStorage(access);
  try {
    await driver.test();
    return 'AVAILABLE';
  } catch (err) {
    if (isAppError(err, 'STORAGE_BUCKET_NOT_FOUND')) return 'NOT_FOUND';
    if (isAppError(err, 'STORAGE_ACCESS_DENIED')) return 'FORBIDDEN';
    throw err;
  } finally {
    await driver.close().catch(() => undefined);
  }
}

/**
 * What CVAT checks before it saves a cloud storage: the bucket answers with these credentials
 * (`FORBIDDEN` → an error on `credentials`, `NOT_FOUND` → on `resource`) and every manifest exists.
 */
export async function checkBeforeSave(services: ApiServices, access: CloudStorageAccess): Promise<void> {
  const status = await storageStatus(services, access);
  if (status === 'FORBIDDEN')
    throw fieldError(
      ['credentials'],
      `The resource ${access.resource} is not available: access is denied with these credentials.`,
    );
  if (status === 'NOT_FOUND')
    throw fieldError(['resource'], `The resource ${access.resource} was not found.`);
  if (access.manifests.length === 0) return;
  const driver = services.openCloudStorage(access);
  try {
    for (const manifest of access.manifests)
      if (!(await driver.head(manifest)))
        throw fieldError(
          ['manifests'],
          `The manifest ${manifest} was not found in the resource ${access.resource}.`,
        );
  } finally {
    await driver.close().catch(() => undefined);
  }
}
