import { defineErrors } from '../error-spec.js';

/**
 * Codes of the backup/restore endpoints in `apps/api` (CVAT's `/backup`, `/backup/export`,
 * `/backup/download`, the TUS upload and `/api/requests`). Texts CVAT clients match on are CVAT's own.
 */
export const backupApiErrors = defineErrors({
  BACKUP_API_LOCATION_INVALID: {
    status: 400,
    retryable: false,
    message: 'Unexpected location "{location}" specified for the request; use "local" or "cloud_storage".',
  },
  BACKUP_API_CLOUD_STORAGE_ID_MISSING: {
    status: 400,
    retryable: false,
    message:
      'Cloud storage location was selected as the {direction}, but cloud storage id was not specified: add cloud_storage_id=N.',
  },
  BACKUP_API_CLOUD_STORAGE_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'Cloud storage {id} does not exist or is not available to you.',
  },
  BACKUP_API_ACTION_INVALID: {
    status: 400,
    retryable: false,
    message: 'Unexpected action specified for the request: use action=download or no action.',
  },
  BACKUP_API_DOWNLOAD_NOT_LOCAL: {
    status: 400,
    retryable: false,
    message:
      'Action "download" is only supported for a local backup location; the archive was written to cloud storage {cloudStorageId} as "{filename}".',
  },
  BACKUP_API_NOT_FINISHED: {
    status: 400,
    retryable: false,
    message: 'The export process is not finished; poll the request until its status is "finished".',
  },
  BACKUP_API_RQ_ID_MISSING: {
    status: 400,
    retryable: false,
    message: 'Missing request id in the query parameters',
  },
  BACKUP_API_RQ_ID_INVALID: {
    status: 400,
    retryable: false,
    message: 'Invalid export request id',
  },
  BACKUP_API_RQ_ID_UNKNOWN: {
    status: 400,
    retryable: false,
    message: 'Unknown export request id',
  },
  BACKUP_API_NO_LOCAL_RESULT: {
    status: 400,
    retryable: false,
    message: 'The export process has no result file to be downloaded locally',
  },
  BACKUP_API_RESULT_EXPIRED: {
    status: 404,
    retryable: false,
    message: 'The exported file has expired, please retry exporting',
  },
  BACKUP_API_REQUEST_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'There is no request with specified id',
  },
  BACKUP_API_CANCEL_STARTED: {
    status: 400,
    retryable: false,
    message: 'Only requests that have not yet been started can be cancelled',
  },
  BACKUP_API_FILE_MISSING: {
    status: 400,
    retryable: false,
    message:
      'No file was submitted: send the backup as the multipart field "{field}", or upload it with Upload-Start, TUS and Upload-Finish.',
  },
  BACKUP_API_FILENAME_MISSING: {
    status: 400,
    retryable: false,
    message: 'The filename was not specified: add filename=<object key in the cloud storage>.',
  },
  BACKUP_API_UPLOAD_UNKNOWN: {
    status: 400,
    retryable: false,
    message: 'No such file were uploaded',
  },
  BACKUP_API_UPLOAD_INCOMPLETE: {
    status: 400,
    retryable: false,
    message:
      'The upload {fileId} holds {offset} of {length} bytes: send the missing chunks (HEAD tells the offset) before Upload-Finish.',
  },
  BACKUP_API_UPLOAD_TOO_LARGE: {
    status: 413,
    retryable: false,
    message:
      'The backup is larger than the upload limit of {limit} bytes; ask the administrator to raise it.',
  },
  BACKUP_API_TUS_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'Upload {fileId} does not exist (it may have finished or expired); start a new upload.',
  },
  BACKUP_API_TUS_FORBIDDEN: {
    status: 403,
    retryable: false,
    message: 'Upload {fileId} belongs to another user.',
  },
  BACKUP_API_TUS_OFFSET_MISMATCH: {
    status: 409,
    retryable: false,
    message:
      'Upload-Offset {got} does not match the offset {expected} of upload {fileId}; ask with HEAD and resume from there.',
  },
  BACKUP_API_TUS_CHUNK_TOO_LARGE: {
    status: 413,
    retryable: false,
    message: 'The chunk goes past Upload-Length {length} of upload {fileId}.',
  },
  BACKUP_API_TUS_HEADER_INVALID: {
    status: 400,
    retryable: false,
    message: 'The header {header} is missing or invalid: {problem}',
  },
});
