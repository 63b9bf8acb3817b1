import { defineErrors } from '../error-spec.js';

/**
 * Codes of the archive engine (`@cvat-backup/format`). `ARCHIVE_*`: a backup archive that cannot be
 * read or restored (the user's file is at fault: 400, never retried). `FORMAT_*`: input handed to
 * the writer or the name helpers that cannot be written as a CVAT backup.
 */
export const formatErrors = defineErrors({
  ARCHIVE_TRUNCATED: {
    status: 400,
    retryable: false,
    message:
      'The backup file is incomplete or not a zip archive ({reason}). Upload it again, or make a new backup.',
  },
  ARCHIVE_CORRUPT: {
    status: 400,
    retryable: false,
    message: 'The backup file is damaged: {reason}. Make a new backup and upload it again.',
  },
  ARCHIVE_CRC_MISMATCH: {
    status: 400,
    retryable: false,
    message:
      'The content of "{entry}" in the backup does not match its checksum: the file was damaged. Upload it again, or make a new backup.',
  },
  ARCHIVE_CHECKSUM_MISMATCH: {
    status: 400,
    retryable: false,
    message:
      'The integrity manifest of the backup does not match its content ({reason}): the file was altered or damaged.',
  },
  ARCHIVE_UNSAFE_PATH: {
    status: 400,
    retryable: false,
    message:
      'The backup contains an entry with an unsafe name "{entry}" ({reason}). Backups made by CVAT never do; refusing to restore it.',
  },
  ARCHIVE_SYMLINK: {
    status: 400,
    retryable: false,
    message: 'The backup contains a symbolic link "{entry}". Backups may only contain regular files.',
  },
  ARCHIVE_DUPLICATE_ENTRY: {
    status: 400,
    retryable: false,
    message: 'The backup contains "{entry}" more than once, so it is ambiguous which copy to restore.',
  },
  ARCHIVE_TOO_MANY_ENTRIES: {
    status: 400,
    retryable: false,
    message:
      'The backup has {count} entries; at most {limit} are accepted. Split the task or raise the limit.',
  },
  ARCHIVE_TOO_LARGE: {
    status: 400,
    retryable: false,
    message:
      'The backup would unpack to {size} bytes; at most {limit} bytes are accepted. Split the task or raise the limit.',
  },
  ARCHIVE_COMPRESSION_RATIO: {
    status: 400,
    retryable: false,
    message:
      'The entry "{entry}" expands {ratio} times when unpacked (at most {limit} accepted): this looks like a zip bomb.',
  },
  ARCHIVE_ENCRYPTED: {
    status: 400,
    retryable: false,
    message: 'The entry "{entry}" is encrypted. Upload a backup without a password.',
  },
  ARCHIVE_COMPRESSION_UNSUPPORTED: {
    status: 400,
    retryable: false,
    message:
      'The entry "{entry}" uses compression method {method}, which is not supported. Re-create the zip with no compression or with deflate.',
  },
  ARCHIVE_NAME_NOT_UTF8: {
    status: 400,
    retryable: false,
    message:
      'An entry name in the backup is not valid UTF-8 (bytes {hex}). Re-create the zip with a tool that stores UTF-8 names.',
  },
  ARCHIVE_NOT_A_BACKUP: {
    status: 400,
    retryable: false,
    message:
      'This zip is not a CVAT backup: it has neither task.json nor project.json at its root. Upload a file made by "Backup task" or "Backup project".',
  },
  ARCHIVE_IS_PROJECT: {
    status: 400,
    retryable: false,
    message: 'This is a project backup; restore it as a project, not as a task.',
  },
  ARCHIVE_IS_TASK: {
    status: 400,
    retryable: false,
    message: 'This is a task backup; restore it as a task, not as a project.',
  },
  ARCHIVE_MISSING_ENTRY: {
    status: 400,
    retryable: false,
    message: 'The backup has no "{entry}", which every {kind} backup must contain.',
  },
  ARCHIVE_VERSION_UNSUPPORTED: {
    status: 400,
    retryable: false,
    message: 'The backup declares format version "{version}" in "{entry}"; only version "1.0" is supported.',
  },
  ARCHIVE_JSON_MALFORMED: {
    status: 400,
    retryable: false,
    message: '"{entry}" in the backup is not valid JSON ({reason}).',
  },
  ARCHIVE_SCHEMA_INVALID: {
    status: 400,
    retryable: false,
    message: '"{entry}" in the backup does not have the expected content: {problems}',
  },
  ARCHIVE_UNKNOWN_LABEL: {
    status: 400,
    retryable: false,
    message: 'annotations.json (job {job}) refers to label "{label}", which the backup does not define.',
  },
  ARCHIVE_UNKNOWN_ATTRIBUTE: {
    status: 400,
    retryable: false,
    message:
      'annotations.json (job {job}) refers to attribute "{attribute}" of label "{label}", which the backup does not define.',
  },
  ARCHIVE_UNKNOWN_JOB: {
    status: 400,
    retryable: false,
    message: 'annotations.json has annotations for job {job}, but task.json lists only {count} jobs.',
  },
  ARCHIVE_ENTRY_TOO_LARGE: {
    status: 400,
    retryable: false,
    message: '"{entry}" is {size} bytes; at most {limit} bytes are accepted for it.',
  },
  FORMAT_INPUT_INVALID: {
    status: 500,
    retryable: false,
    message: 'Cannot write the backup: {problems}',
  },
  FORMAT_ENTRY_NAME_INVALID: {
    status: 500,
    retryable: false,
    message: 'Cannot write the backup: entry name "{entry}" is not allowed ({reason}).',
  },
  FORMAT_ENTRY_SIZE_MISMATCH: {
    status: 500,
    retryable: true,
    message:
      'Cannot write the backup: "{entry}" was announced as {expected} bytes but {actual} were read; the source changed while it was being copied.',
  },
  FORMAT_FILE_NAME_INVALID: {
    status: 400,
    retryable: false,
    message: 'The file name "{name}" cannot be used: {reason}.',
  },
});
