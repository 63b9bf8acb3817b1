import { defineErrors } from '../error-spec.js';

/** Codes of `@cvat-backup/catalog`: schema migrations, repositories, credential encryption. */
export const catalogErrors = defineErrors({
  CATALOG_MIGRATION_CHANGED: {
    status: 500,
    retryable: false,
    message:
      'Migration {name} was changed after it was applied (checksum {applied} in the database, {found} on disk); restore the original file and put the change into a new migration.',
  },
  CATALOG_MIGRATION_FAILED: {
    status: 500,
    retryable: false,
    message: 'Migration {name} failed and was rolled back: {reason}',
  },
  CATALOG_MIGRATION_MISSING: {
    status: 500,
    retryable: false,
    message:
      'The database has migration {name} applied, but its file is missing; deploy a build that contains it.',
  },
  CATALOG_INVALID_LIST_QUERY: {
    status: 400,
    retryable: false,
    message: 'The list query is invalid: {problem}',
  },
  CATALOG_INVALID_VALUE: {
    status: 400,
    retryable: false,
    message: 'The value of {field} is invalid: {problem}',
  },
  CATALOG_REFERENCE_NOT_FOUND: {
    status: 400,
    retryable: false,
    message: 'The specified {entity} {id} does not exist.',
  },
  CATALOG_CONFLICT: {
    status: 409,
    retryable: false,
    message: '{entity} already exists: {reason}',
  },
  CATALOG_USERNAME_TAKEN: {
    status: 400,
    retryable: false,
    message: 'A user with the username "{username}" already exists; choose another username.',
  },
  CATALOG_EMAIL_TAKEN: {
    status: 400,
    retryable: false,
    message: 'A user is already registered with this e-mail address; log in or use another address.',
  },
  CATALOG_DATA_ALREADY_ATTACHED: {
    status: 400,
    retryable: false,
    message: 'Adding more data is not supported: task {taskId} already has data.',
  },
  CATALOG_TASK_HAS_NO_DATA: {
    status: 400,
    retryable: false,
    message: 'Task {taskId} has no data yet; upload data to it first.',
  },
  CATALOG_TASK_DETACHED: {
    status: 400,
    retryable: false,
    message:
      'The data of task {taskId} is in a cloud storage, but no cloud storage is attached to this task: attach a cloud storage to this task (PATCH /api/tasks/{taskId}/data/meta with {"cloud_storage_id": N}) to read its media.',
  },
  CATALOG_ANNOTATION_INVALID: {
    status: 400,
    retryable: false,
    message: 'Annotation {kind} #{index} of job {jobId} is invalid: {problem}',
  },
  CATALOG_ASSET_TOO_LARGE: {
    status: 413,
    retryable: false,
    message: 'The asset {filename} is {size} bytes; the limit is {limit} bytes. Reduce its size.',
  },
  CATALOG_ENCRYPTION_KEY_INVALID: {
    status: 500,
    retryable: false,
    message:
      'The cloud-credentials encryption key must be 32 bytes, got {length}; configure a 32-byte key (e.g. 64 hex characters).',
  },
  CATALOG_CREDENTIALS_UNREADABLE: {
    status: 500,
    retryable: false,
    message:
      'The stored credentials of cloud storage {id} cannot be decrypted: they were altered or the encryption key changed. Re-enter the credentials of this cloud storage.',
  },
});
