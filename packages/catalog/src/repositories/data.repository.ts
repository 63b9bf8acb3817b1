import { AppError } from '@cvat-backup/common';
import type { Actor } from './common.types.js';

export type DataStorage = 'local' | 'share' | 'cloud_storage';
export type ChunkType = 'video' | 'imageset' | 'list';
export type SortingMethod = 'lexicographical' | 'natural' | 'predefined' | 'random';

/** Honeypot / GT layout of the task's data (CVAT's `validation_layout`); frames are task-relative. */
export interface ValidationLayout {
  mode: 'gt' | 'gt_pool';
  frames: number[];
  frames_per_job_count: number | null;
  disabled_frames: number[];
}

/** A task's data: CVAT's Data model plus where the media lives. */
export interface DataRecord {
  id: number;
  task_id: number;
  image_quality: number;
  chunk_size: number | null;
  size: number;
  start_frame: number;
  stop_frame: number;
  frame_filter: string;
  sorting_method: SortingMethod;
  storage_method: 'cache' | 'file_system';
  /** `cloud_storage` with `cloud_storage_id` null: restored detached, frames cannot be served. */
  storage: DataStorage;
  cloud_storage_id: number | null;
  compressed_chunk_type: ChunkType;
  original_chunk_type: ChunkType;
  media_type: string;
  /** Key prefix of the media in the task's storage: local storage, or the attached cloud storage. */
  media_prefix: string;
  deleted_frames: number[];
  validation_layout: ValidationLayout | null;
  chunks_updated_date: Date;
}

/** One image; `frame` is the task-relative frame number, `path` is relative to `media_prefix`. */
export interface ImageInput {
  frame: number;
  path: string;
  width: number;
  height: number;
  byte_size?: number | null;
  related_files?: string[];
}

export interface ImageRecord {
  frame: number;
  path: string;
  width: number;
  height: number;
  byte_size: number | null;
  related_files: string[];
}

export interface VideoRecord {
  path: string;
  width: number;
  height: number;
  byte_size: number | null;
}

export type RowSource<T> = Iterable<T> | AsyncIterable<T>;

export interface NewData {
  image_quality: number;
  chunk_size?: number | null;
  /** Number of frames; defaults to the number of images (1 for nothing else given). */
  size?: number;
  start_frame?: number;
  stop_frame?: number;
  frame_filter?: string;
  sorting_method?: SortingMethod;
  storage_method?: 'cache' | 'file_system';
  storage?: DataStorage;
  cloud_storage_id?: number | null;
  compressed_chunk_type?: ChunkType;
  original_chunk_type?: ChunkType;
  media_type?: string;
  media_prefix?: string;
  deleted_frames?: number[];
  validation_layout?: ValidationLayout | null;
  /** Images, written with COPY (any number, streamed). */
  images?: RowSource<ImageInput>;
  video?: VideoRecord;
  /** Lines of manifest.jsonl without their newline, in order (streamed). */
  manifest?: RowSource<string>;
}

export interface DataPatch {
  deleted_frames?: number[];
  /** CVAT's way to attach a cloud storage to a task whose data is in a cloud (PATCH data/meta). */
  cloud_storage_id?: number | null;
}

export interface DataRepository {
  /**
   * Attaches data to a task (once: CATALOG_DATA_ALREADY_ATTACHED otherwise), with media rows and the
   * manifest. Sets the task's mode from the media when it is still empty.
   */
  create(taskId: number, input: NewData): Promise<DataRecord>;
  /** The data of a task visible to the actor; null when the task is not visible or has no data. */
  get(actor: Actor, taskId: number): Promise<DataRecord | null>;
  /** Same without an ownership check, for workers (exporter). */
  getForTask(taskId: number): Promise<DataRecord | null>;
  /**
   * PATCH data/meta. `cloud_storage_id` must name a cloud storage the actor sees, and the data must be
   * in a cloud (`storage = cloud_storage`). Moves `chunks_updated_date`. Null when not visible/no data.
   */
  update(actor: Actor, taskId: number, patch: DataPatch): Promise<DataRecord | null>;
  /** Images in frame order, from a cursor. */
  images(dataId: number, range?: { from?: number; to?: number }): AsyncIterable<ImageRecord>;
  /** One frame's image (frame serving), or null. */
  image(dataId: number, frame: number): Promise<ImageRecord | null>;
  video(dataId: number): Promise<VideoRecord | null>;
  /** Lines of manifest.jsonl in order, without newlines, from a cursor. */
  manifestLines(dataId: number): AsyncIterable<string>;
  /** The distinct media prefixes of every task whose media are in the local storage, from a cursor. */
  localMediaPrefixes(): AsyncIterable<string>;
  /**
   * True when some task's data in the local storage has its media under `prefix`, or at a prefix that
   * holds `prefix` (an empty media prefix names no folder and counts as neither).
   */
  localMediaInUse(prefix: string): Promise<boolean>;
}

/** Where a task's media is read from: the local storage, or an attached cloud storage, under `prefix`. */
export type MediaSource =
  | { kind: 'local'; prefix: string }
  | { kind: 'share'; prefix: string }
  | { kind: 'cloud_storage'; cloudStorageId: number; prefix: string };

/**
 * Resolves where frames and media of a task come from. A task without data is
 * CATALOG_TASK_HAS_NO_DATA; a task restored detached (cloud data, no cloud storage attached) is
 * CATALOG_TASK_DETACHED, a 400 that tells the user to attach one. Frame serving and the exporter call it.
 */
export function mediaSource(taskId: number, data: DataRecord | null): MediaSource {
  if (!data) throw new AppError('CATALOG_TASK_HAS_NO_DATA', { taskId });
  if (data.storage !== 'cloud_storage') return { kind: data.storage, prefix: data.media_prefix };
  if (data.cloud_storage_id === null) throw new AppError('CATALOG_TASK_DETACHED', { taskId });
  return { kind: 'cloud_storage', cloudStorageId: data.cloud_storage_id, prefix: data.media_prefix };
}
