import type { NewData, ValidationLayout } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { Job, TaskMeta } from '@cvat-backup/format';

/**
 * A task's data row as the catalog creates it from task.json, without its media rows (images, video
 * and manifest stream in later): what the restore's pre-flight checks and what createTask writes.
 */
export function dataFields(
  meta: TaskMeta,
  where: { prefix: string; lightweight: boolean },
  video: boolean,
): NewData {
  const { data } = meta;
  const input: NewData = {
    image_quality: data.image_quality,
    chunk_size: data.chunk_size ?? null,
    start_frame: data.start_frame ?? 0,
    frame_filter: 'frame_filter' in data ? data.frame_filter : '',
    sorting_method: data.sorting_method,
    storage_method: data.storage_method,
    storage: where.lightweight ? 'cloud_storage' : 'local',
    // Restored from a lightweight backup: detached until the user attaches a cloud storage.
    cloud_storage_id: null,
    compressed_chunk_type: data.chunk_type,
    original_chunk_type: data.chunk_type,
    media_prefix: where.lightweight ? '' : where.prefix,
    deleted_frames: data.deleted_frames,
  };
  // A video's last frame comes from its manifest (videoData); an image task keeps the archive's.
  if (!video && data.stop_frame !== undefined) input.stop_frame = data.stop_frame;
  const layout = validationLayout(meta.jobs, data.validation_layout);
  if (layout) input.validation_layout = layout;
  return input;
}

/**
 * gt_pool layouts name their frames by file; the ground-truth job says which frame each file is.
 * Without a layout, a ground-truth job makes the task's validation mode `gt` over the job's frames,
 * as CVAT's restore does (it recreates the job through JobWriteSerializer, which sets the layout).
 */
function validationLayout(
  jobs: readonly Job[],
  layout: TaskMeta['data']['validation_layout'],
): ValidationLayout | null {
  const gt = jobs.find((j) => j.type === 'ground_truth');
  if (!layout) {
    if (!gt) return null;
    const frames = [...new Set(gt.frames ?? [])].sort((a, b) => a - b);
    return { mode: 'gt', frames, frames_per_job_count: null, disabled_frames: [] };
  }
  const byFile = new Map<string, number>();
  gt?.files?.forEach((file, i) => {
    const frame = gt.frames?.[i];
    if (frame !== undefined && !byFile.has(file)) byFile.set(file, frame);
  });
  const frames = layout.frames.map((file) => {
    const frame = byFile.get(file);
    if (frame === undefined)
      throw new AppError('BACKUP_UNSUPPORTED_MEDIA', {
        reason: `validation frame "${file}" is not among the ground-truth job's files`,
      });
    return frame;
  });
  return {
    mode: 'gt_pool',
    frames,
    frames_per_job_count: layout.frames_per_job_count ?? null,
    disabled_frames: [],
  };
}
