import { defineErrors } from '../error-spec.js';

/** Codes of `apps/api`: authentication, request bodies, uploads, frames and annotation streams. */
export const apiErrors = defineErrors({
  API_TOKEN_INVALID: {
    status: 401,
    retryable: false,
    message: 'Invalid token.',
  },
  API_BASIC_AUTH_INVALID: {
    status: 401,
    retryable: false,
    message: 'Invalid username/password.',
  },
  API_CSRF_FAILED: {
    status: 403,
    retryable: false,
    // DRF's words; the reason is Django's ("CSRF token missing." / "CSRF token incorrect." / "CSRF cookie
    // not set."). Send the csrftoken cookie's value in X-CSRFToken, or authenticate with a Token instead.
    message: 'CSRF Failed: {reason}',
  },
  API_LOGIN_FAILED: {
    status: 400,
    retryable: false,
    message: 'Unable to log in with provided credentials.',
  },
  API_REGISTRATION_DISABLED: {
    status: 403,
    retryable: false,
    message: 'Self-registration is switched off on this server; ask an administrator for an account.',
  },
  API_PASSWORDS_MISMATCH: {
    status: 400,
    retryable: false,
    message: "The two password fields didn't match.",
  },
  API_ADMIN_REQUIRED: {
    status: 403,
    retryable: false,
    message: 'Only an administrator may {action}.',
  },
  API_INVALID_PAGE: {
    status: 404,
    retryable: false,
    message: 'Invalid page.',
  },
  API_INVALID_FILTER: {
    status: 400,
    retryable: false,
    message:
      'The filter is not supported: {problem}. Use equality tests joined by "and", e.g. {"and":[{"==":[{"var":"name"},"x"]}]}.',
  },
  API_UPLOAD_TOO_LARGE: {
    status: 413,
    retryable: false,
    message: 'The upload is larger than the limit of {limit} bytes; send fewer or smaller files per request.',
  },
  API_UPLOAD_INVALID: {
    status: 400,
    retryable: false,
    message: 'The upload is invalid: {problem}',
  },
  API_MEDIA_UNSUPPORTED: {
    status: 400,
    retryable: false,
    message:
      'The file {name} is not a supported image (JPEG, PNG, GIF, WebP or BMP) or its header is damaged; remove it from the request.',
  },
  API_DATA_SOURCE_INVALID: {
    status: 400,
    retryable: false,
    message: 'The data request is invalid: {problem}',
  },
  API_TASK_HAS_NO_DATA: {
    status: 404,
    retryable: false,
    message: 'Task {taskId} has no data yet.',
  },
  API_FRAME_OUT_OF_RANGE: {
    status: 400,
    retryable: false,
    message: "Invalid frame '{frame}'. The frame number should be in the [0, {last}] range",
  },
  API_CHUNKS_NOT_SUPPORTED: {
    status: 501,
    retryable: false,
    message:
      'Chunks are not served by this server; request single frames with type=frame&number=N (quality=original).',
  },
  API_CLOUD_STORAGE_DETACHED: {
    status: 409,
    retryable: false,
    message:
      'The data of task {taskId} is in a cloud storage, but no cloud storage is attached to this task: attach a cloud storage to this task (PATCH /api/tasks/{taskId}/data/meta with {"cloud_storage_id": N}) to read its frames.',
  },
  API_CLOUD_STORAGE_UNAVAILABLE: {
    status: 400,
    retryable: false,
    message: "The specified cloud storage '{name}' is not available: {reason}",
  },
  API_ANNOTATIONS_MALFORMED: {
    status: 400,
    retryable: false,
    message:
      'The annotations are not valid JSON in CVAT\'s {"version", "tags", "shapes", "tracks"} shape: {problem}',
  },
  API_ANNOTATIONS_TOO_LARGE: {
    status: 413,
    retryable: false,
    message:
      'The annotation body is larger than the limit of {limit} bytes; send it in several PATCH requests.',
  },
});
