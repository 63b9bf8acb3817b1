import type { CloudStorageRecord } from '@cvat-backup/catalog';
import { basicUser } from './user.serializer.js';

/** CVAT's `CloudStorageRead`: the record never carries secrets, so none can leak from here. */
export function serializeCloudStorage(base: string, c: CloudStorageRecord) {
  return {
    id: c.id,
    owner: basicUser(base, c.owner),
    manifests: c.manifests,
    created_date: c.created_date.toISOString(),
    updated_date: c.updated_date.toISOString(),
    provider_type: c.provider_type,
    resource: c.resource,
    display_name: c.display_name,
    credentials_type: c.credentials_type,
    specific_attributes: c.specific_attributes,
    description: c.description,
    organization: c.organization_id,
  };
}
