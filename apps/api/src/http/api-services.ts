import type { Catalog, CloudStorageAccess } from '@cvat-backup/catalog';
import type { StorageDriver } from '@cvat-backup/storage';
import type { BackupServices } from '../backup/backup-services.js';
import type { ScheduleServices } from '../schedules/schedule-services.js';

/** Limits the API enforces on request bodies. */
export interface ApiLimits {
  /** Whole `POST /api/tasks/{id}/data` multipart request. */
  uploadBytes: number;
  uploadFiles: number;
  /** Annotation bodies (streamed). */
  annotationBytes: number;
  /** One annotation object inside a streamed body. */
  annotationObjectBytes: number;
}

/** Opens a driver for a cloud storage record (with its decrypted secrets); the caller closes it. */
export type CloudDriverFactory = (access: CloudStorageAccess) => StorageDriver;

/** What the catalog endpoints need; side effects (database, storage SDKs) stay behind these. */
export interface ApiServices {
  catalog: Catalog;
  /** Where uploaded media of local tasks go (`DATA_ROOT/media`); keys `tasks/<id>/…`. */
  localMedia: StorageDriver;
  openCloudStorage: CloudDriverFactory;
  registrationEnabled: boolean;
  /** Django's SESSION_COOKIE_AGE: how long a login's `sessionid` lasts (two weeks when absent). */
  sessionAgeSeconds?: number;
  limits: ApiLimits;
  /** Backup/restore endpoints and `/api/requests`; absent, those routes are not registered. */
  backup?: BackupServices;
  /** `/api/backup-schedules`; absent, those routes are not registered. */
  schedules?: ScheduleServices;
}

export const DEFAULT_LIMITS: ApiLimits = {
  uploadBytes: 10 * 1024 ** 3,
  uploadFiles: 100_000,
  annotationBytes: 4 * 1024 ** 3,
  annotationObjectBytes: 16 * 1024 ** 2,
};
