/**
 * `@cvat-backup/format`: CVAT's backup archive. Schemas of its JSON documents, a streaming
 * store-only zip writer, a validating random-access zip reader, task/project archive writers and
 * readers (every era of the format), integrity verification, and file-name helpers.
 */
export type { AnnotationEvent, AnnotationReadOptions } from './archive/annotations-reader.js';
export { readAnnotationEvents } from './archive/annotations-reader.js';
export type {
  ArchiveWriteOptions,
  ArchiveWriteResult,
  FileInput,
  GuideAssetInput,
  GuideInput,
  MediaInput,
  ProjectArchiveInput,
  ProjectFieldsInput,
  ProjectTaskInput,
  TaskArchiveInput,
  TaskFieldsInput,
} from './archive/archive-input.js';
export { INTEGRITY_MANIFEST } from './archive/archive-input.js';
export { writeProjectArchive, writeTaskArchive } from './archive/archive-writer.js';
export type {
  AnnotationSummary,
  ArchiveFile,
  ArchiveGuide,
  BackupArchive,
  OpenBackupOptions,
  ProjectBackup,
  TaskBackup,
  TaskContent,
} from './archive/backup-reader.js';
export { openBackup } from './archive/backup-reader.js';
export { LabelIndex } from './archive/label-index.js';
export { type MediaManifestLine, readMediaManifest } from './archive/media-manifest-reader.js';
export { type VerifyReport, verifyArchive } from './archive/verify.js';
export { type RawAnnotationEvent, scanAnnotations } from './json/annotations-scanner.js';
export { type JobAnnotationsInput, type Many, serializeAnnotations } from './json/annotations-writer.js';
export { asciiJson, drfJson } from './json/cvat-json.js';
export { serializeProjectMeta, serializeTaskMeta } from './json/meta-serializer.js';
export {
  backupTimestamp,
  contentDisposition,
  defaultBackupFileName,
  sanitizeBackupFileName,
} from './names/backup-file-name.js';
export * from './schema/annotations.schema.js';
export * from './schema/label.schema.js';
export * from './schema/media-manifest.schema.js';
export * from './schema/project-meta.schema.js';
export * from './schema/task-meta.schema.js';
export type { ReadableFile } from './zip/file-chunks.js';
export { FileSource } from './zip/file-source.js';
export { BufferSource, type RandomAccessSource } from './zip/random-access-source.js';
export { DEFAULT_ZIP_LIMITS, type ZipEntry, type ZipLimits } from './zip/zip-entry.js';
export { ZipReader } from './zip/zip-reader.js';
export {
  type WrittenEntry,
  type ZipEntryOptions,
  ZipWriter,
  type ZipWriterOptions,
} from './zip/zip-writer.js';
