import type { BackupJob, DataRecord, TaskBackupView } from '@cvat-backup/catalog';
import type { Job, TaskData, TaskFieldsInput } from '@cvat-backup/format';
import { toArchiveLabels } from './archive-labels.js';

/** How the media of a task go into its archive. */
export type MediaMode =
  /** Local data: every file of the task's data, start/stop/filter kept. */
  | 'local'
  /** Cloud data copied in (heavyweight): the frames under their cloud paths; CVAT then drops start/stop/filter. */
  | 'cloud-copied'
  /** Cloud data left out (lightweight): only manifest.jsonl, `storage: cloud_storage`. */
  | 'cloud-lightweight';

/** Lightweight only means something for cloud-backed data; for anything else the backup is full. */
export function mediaModeOf(data: DataRecord, lightweightRequested: boolean): MediaMode {
  if (data.storage !== 'cloud_storage') return 'local';
  return lightweightRequested ? 'cloud-lightweight' : 'cloud-copied';
}

export function archiveTaskFields(view: TaskBackupView): TaskFieldsInput {
  const { task } = view;
  const fields: TaskFieldsInput = {
    name: task.name,
    bug_tracker: task.bug_tracker,
    status: task.status,
    subset: task.subset,
    labels: toArchiveLabels(view.labels),
  };
  if (task.consensus_replicas > 0) fields.consensus_replicas = task.consensus_replicas;
  return fields;
}

/**
 * task.json's `data`. `framePaths` resolves the validation layout's frame numbers to file names (CVAT
 * stores names there so honeypots can be rebuilt on restore).
 */
export function archiveTaskData(
  data: DataRecord,
  view: TaskBackupView,
  mode: MediaMode,
  framePaths: ReadonlyMap<number, string>,
): TaskData {
  // Copied cloud media are only the task's frames, renumbered from 0 on restore (CVAT does the same).
  const range =
    mode === 'cloud-copied'
      ? {}
      : {
          start_frame: data.start_frame,
          stop_frame: data.stop_frame,
          ...(data.frame_filter ? { frame_filter: data.frame_filter } : {}),
        };
  const out: TaskData = {
    chunk_size: data.chunk_size,
    image_quality: data.image_quality,
    ...range,
    storage_method: data.storage_method,
    sorting_method: data.sorting_method,
    chunk_type: data.compressed_chunk_type === 'video' ? 'video' : 'imageset',
    deleted_frames: [...data.deleted_frames],
    storage: mode === 'cloud-lightweight' ? 'cloud_storage' : 'local',
  };
  if (view.custom_segments) out.custom_segments = true;
  if (data.validation_layout?.mode === 'gt_pool') {
    out.validation_layout = {
      mode: 'gt_pool',
      frames_per_job_count:
        data.validation_layout.frames_per_job_count ?? honeypotsPerJob(view.jobs, framePaths),
      frames: data.validation_layout.frames.map((frame) => {
        const path = framePaths.get(frame);
        if (path === undefined)
          throw new Error(`validation frame ${frame} has no image in task ${view.task.id}`);
        return path;
      }),
    };
  }
  return out;
}

/**
 * A gt_pool layout's `frames_per_job_count` when the catalog has none (a restore of an archive
 * without it keeps null): CVAT's ValidationParamsSerializer refuses both null ("This field may not
 * be null") and a missing key ("One of the fields ... required"), and CVAT itself always records
 * one. It is the honeypots an annotation job shows: the most validation files any of them holds
 * (CVAT's minimum, 1, when none does; the restore places honeypots from the jobs' `files` anyway).
 */
function honeypotsPerJob(jobs: readonly BackupJob[], framePaths: ReadonlyMap<number, string>): number {
  const validation = new Set(framePaths.values());
  let most = 1;
  for (const job of jobs)
    if (job.type === 'annotation')
      most = Math.max(most, job.files?.filter((file) => validation.has(file)).length ?? 0);
  return most;
}

export function archiveJobs(jobs: readonly BackupJob[]): Job[] {
  return jobs.map((job) => {
    const out: Job = {
      status: job.status,
      type: job.type,
      start_frame: job.start_frame,
      stop_frame: job.stop_frame,
    };
    if (job.frames) out.frames = [...job.frames];
    if (job.files) out.files = [...job.files];
    return out;
  });
}
