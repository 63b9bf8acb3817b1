import type { Readable } from 'node:stream';
import type { JobAnnotationsInput, Many } from '../json/annotations-writer.js';
import type { Label } from '../schema/label.schema.js';
import type { Job, TaskData } from '../schema/task-meta.schema.js';
import type { ReadableFile } from '../zip/file-chunks.js';

/** A file to store in the archive, opened only when its turn comes. */
export interface FileInput {
  /** Length in bytes, when known (lets the zip stay free of ZIP64 records below 4 GiB). */
  size?: number;
  mtime?: Date;
  open(): Promise<Readable | AsyncIterable<Uint8Array>>;
  /**
   * For a local file: the open file itself (a `FileHandle` from `node:fs/promises`). When given,
   * the writer calls this instead of `open()`, reads the file into recycled buffers (the fastest
   * way), and closes it.
   */
  openFile?(): Promise<ReadableFile>;
}

/** A media file of the task: `path` is relative to `data/` (`images/1.jpg`, `manifest.jsonl`). */
export interface MediaInput extends FileInput {
  path: string;
}

/** An asset of the annotation guide; `/api/assets/<id>` in the markdown is rewritten to its path. */
export interface GuideAssetInput extends FileInput {
  id: string;
  filename: string;
}

export interface GuideInput {
  markdown: string;
  assets?: Many<GuideAssetInput>;
}

/** The task fields CVAT keeps in `task.json` (everything else about a task is not backed up). */
export interface TaskFieldsInput {
  name: string;
  bug_tracker?: string;
  status?: 'annotation' | 'validation' | 'completed';
  subset?: string;
  /** Ignored by CVAT when restoring inside a project, but written as CVAT does. */
  labels: Label[];
  consensus_replicas?: number;
}

/** Everything that makes up one task backup. */
export interface TaskArchiveInput {
  task: TaskFieldsInput;
  data: TaskData;
  /** Jobs in CVAT's order: segments by their first job id, then jobs by id. */
  jobs: Job[];
  /** Files of `data/` (none for a lightweight backup except `manifest.jsonl`). */
  media?: Many<MediaInput>;
  /** One element per job, same order as `jobs`. */
  annotations: Many<JobAnnotationsInput>;
  guide?: GuideInput;
}

export interface ProjectFieldsInput {
  name: string;
  bug_tracker?: string;
  status?: 'annotation' | 'validation' | 'completed';
  labels: Label[];
}

/** One task of a project backup; `index` is its position among the project's tasks ordered by id. */
export interface ProjectTaskInput {
  index: number;
  task: TaskArchiveInput;
}

export interface ProjectArchiveInput {
  project: ProjectFieldsInput;
  guide?: GuideInput;
  /** In ascending `index` order; gaps are allowed (tasks without data are skipped by CVAT). */
  tasks: Many<ProjectTaskInput>;
}

export interface ArchiveWriteOptions {
  /** Add `checksums.sha256` (SHA-256 of every entry, `sha256sum` format); CVAT ignores it. */
  integrity?: boolean;
  /** Timestamp of generated entries (JSON, guide). Default: now. */
  now?: Date;
  /** Called after every entry with the bytes written so far. */
  onProgress?: (progress: { entries: number; bytes: number; entry: string }) => void;
  /** End the output stream when done. Default true. */
  endOutput?: boolean;
}

export interface ArchiveWriteResult {
  bytes: number;
  entries: number;
}

export const INTEGRITY_MANIFEST = 'checksums.sha256';
