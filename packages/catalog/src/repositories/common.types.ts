/** The user a read or write is done for: admins see everything, others only what they own. */
export interface Actor {
  readonly id: number;
  readonly isAdmin: boolean;
}

/** CVAT's nested `BasicUser`, without `url` (the API adds it). */
export interface BasicUser {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
}

/** A `target_storage` / `source_storage` setting. */
export interface StorageSetting {
  id: number;
  location: 'local' | 'cloud_storage';
  cloud_storage_id: number | null;
}

export interface StorageSettingInput {
  location: 'local' | 'cloud_storage';
  cloud_storage_id?: number | null;
}

/** CVAT list parameters; the API parses the query string into this. */
export interface ListQuery {
  /** 1-based page, default 1. */
  page?: number;
  /** Default 10; `'all'` returns everything. */
  pageSize?: number | 'all';
  /** CVAT `sort`: comma-separated fields, `-` for descending. */
  sort?: string;
  /** Simple equality filters, by CVAT's filter names. */
  filters?: Readonly<Record<string, string | number | boolean | null>>;
  /** Case-insensitive substring over the list's search fields. */
  search?: string;
}

/** One page of a list, for CVAT's `{count, next, previous, results}`. */
export interface Page<T> {
  count: number;
  results: T[];
}
