import type { Actor, BasicUser, ListQuery, Page } from './common.types.js';

export type ProviderType = 'AWS_S3_BUCKET' | 'AZURE_CONTAINER' | 'GOOGLE_CLOUD_STORAGE' | 'GOOGLE_DRIVE';
export type CredentialsType =
  | 'KEY_SECRET_KEY_PAIR'
  | 'ACCOUNT_NAME_TOKEN_PAIR'
  | 'KEY_FILE_PATH'
  | 'ANONYMOUS_ACCESS'
  | 'CONNECTION_STRING';

/** CVAT's `CloudStorageRead`: never any secret. */
export interface CloudStorageRecord {
  id: number;
  owner: BasicUser | null;
  manifests: string[];
  created_date: Date;
  updated_date: Date;
  provider_type: ProviderType;
  resource: string;
  display_name: string;
  credentials_type: CredentialsType;
  /** `k=v&k2=v2`, e.g. `endpoint_url=…&region=…`. */
  specific_attributes: string;
  description: string;
  organization_id: number | null;
}

/** The write-only secrets of CVAT's cloud storage (encrypted at rest, never returned by read methods). */
export interface CloudCredentials {
  key?: string;
  secret_key?: string;
  session_token?: string;
  account_name?: string;
  connection_string?: string;
  /** Content of a GCS service-account key file. */
  key_file?: string;
}

export interface NewCloudStorage {
  provider_type: ProviderType;
  resource: string;
  display_name: string;
  credentials_type: CredentialsType;
  credentials?: CloudCredentials;
  specific_attributes?: string;
  description?: string;
  manifests?: string[];
  owner_id?: number | null;
}

export interface CloudStoragePatch {
  resource?: string;
  display_name?: string;
  credentials_type?: CredentialsType;
  /** Merged into the stored secrets (replaced when `credentials_type` changes). */
  credentials?: CloudCredentials;
  specific_attributes?: string;
  description?: string;
  manifests?: string[];
}

/** A record with its decrypted secrets: for workers that open the storage; never serialise it. */
export interface CloudStorageAccess extends CloudStorageRecord {
  credentials: CloudCredentials;
  /** `specific_attributes` parsed. */
  attributes: Record<string, string>;
}

export interface CloudStorageRepository {
  /** Throws CATALOG_INVALID_VALUE for malformed `specific_attributes`. */
  create(actor: Actor, input: NewCloudStorage): Promise<CloudStorageRecord>;
  get(actor: Actor, id: number): Promise<CloudStorageRecord | null>;
  /** Filters: id, provider_type, name (display_name), resource, credentials_type, owner (username). */
  list(actor: Actor, query?: ListQuery): Promise<Page<CloudStorageRecord>>;
  update(actor: Actor, id: number, patch: CloudStoragePatch): Promise<CloudStorageRecord | null>;
  delete(actor: Actor, id: number): Promise<boolean>;
  /**
   * Workers only: the record with decrypted credentials. CATALOG_CREDENTIALS_UNREADABLE when the stored
   * ciphertext was altered or the key changed. No ownership check.
   */
  access(id: number): Promise<CloudStorageAccess | null>;
}

/** Parses and checks CVAT's `specific_attributes` (`k=v&k2=v2`, URL-encoded); throws on bad input. */
export function parseSpecificAttributes(value: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  if (value === '') return out;
  for (const part of value.split('&')) {
    const pieces = part.split('=');
    if (pieces.length !== 2 || !pieces[0]) return 'each part must be exactly key=value';
    try {
      out[decodeURIComponent(pieces[0])] = decodeURIComponent(pieces[1] ?? '');
    } catch {
      return 'a part is not valid URL encoding';
    }
  }
  const prefix = out['prefix'];
  if (prefix !== undefined && (prefix.startsWith('/') || prefix.includes('//')))
    return 'prefix may not start with "/" or contain "//"';
  return out;
}

/** The fields a cloud storage list can be filtered by (equality: `?name=` and `filter=` of CVAT's list API). */
export const CLOUD_STORAGE_FILTERS = [
  'id',
  'provider_type',
  'name',
  'resource',
  'credentials_type',
  'owner',
] as const;
