import { randomBytes } from 'node:crypto';
import { type DataRecord, planRangeSegments, type TaskRecord } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { StorageDriver } from '@cvat-backup/storage';
import type { ApiServices } from '../http/api-services.js';
import { type DataRequest, selectFrames } from './data-request.schema.js';
import { type MediaFile, manifestLines } from './manifest.js';
import { sortPaths } from './sort-files.js';
import { taskMediaPrefix } from './task-media.js';

/** Default frames per chunk when the request leaves it to the server. */
const DEFAULT_CHUNK_SIZE = 72;

/** A fresh folder per upload, so a losing concurrent upload can remove its files without touching the winner's. */
export const newUploadPrefix = (taskId: number) =>
  `${taskMediaPrefix(taskId)}${randomBytes(6).toString('hex')}/`;

export interface DataPlacement {
  storage: 'local' | 'cloud_storage';
  cloudStorageId: number | null;
  /** Key prefix of the media in its storage. */
  mediaPrefix: string;
  /** Local uploads: where `manifest.jsonl` is written next to the media. */
  manifestTo?: StorageDriver;
}

/**
 * Records a task's data: frames in the requested order and range, the manifest (stored with local
 * media, and in the catalog), and CVAT's range segments with one annotation job each — all in one
 * catalog transaction. The caller removes the media it stored when this throws.
 */
export async function createTaskData(
  services: ApiServices,
  task: TaskRecord,
  request: DataRequest,
  files: MediaFile[],
  placement: DataPlacement,
): Promise<DataRecord> {
  if (files.length === 0)
    throw new AppError('API_DATA_SOURCE_INVALID', {
      problem: 'no media files were given',
      field: 'client_files',
    });
  const sorted = sortPaths(files, request.sorting_method, request.random_seed);
  const { indices, stop } = selectFrames(sorted.length, request);
  if (indices.length === 0)
    throw new AppError('API_DATA_SOURCE_INVALID', {
      problem: `start_frame ${request.start_frame} is past the last of ${sorted.length} files`,
      field: 'start_frame',
    });
  const frames = indices.map((i) => sorted[i]!);
  if (placement.manifestTo) {
    const write = placement.manifestTo.openWrite(`${placement.mediaPrefix}manifest.jsonl`, {
      contentType: 'application/jsonl',
    });
    try {
      for (const line of manifestLines(sorted)) if (!write.write(`${line}\n`)) await drained(write);
      await write.commit();
    } catch (err) {
      await write.abort(err).catch(() => undefined);
      throw err;
    }
  }
  return services.catalog.transaction(async (tx) => {
    const data = await tx.data.create(task.id, {
      image_quality: request.image_quality,
      chunk_size: request.chunk_size ?? DEFAULT_CHUNK_SIZE,
      size: frames.length,
      start_frame: request.start_frame,
      stop_frame: stop,
      frame_filter: request.frame_filter,
      sorting_method: request.sorting_method,
      storage_method: request.storage_method,
      storage: placement.storage,
      cloud_storage_id: placement.cloudStorageId,
      media_type: 'image',
      media_prefix: placement.mediaPrefix,
      images: frames.map((f, frame) => ({
        frame,
        path: f.path,
        width: f.width,
        height: f.height,
        byte_size: f.byteSize,
        related_files: f.relatedImages ?? [],
      })),
      manifest: manifestLines(sorted),
    });
    await tx.jobs.createSegments(
      task.id,
      planRangeSegments(frames.length, task.segment_size, task.overlap ?? 0),
    );
    return data;
  });
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', onDrain);
      stream.off('error', done);
      err ? reject(err) : resolve();
    };
    const onDrain = () => done();
    stream.once('drain', onDrain);
    stream.once('error', done);
  });
}
