import { defineErrors } from '../error-spec.js';

/** Errors of the backup domain: exporting and restoring tasks and projects. */
export const backupErrors = defineErrors({
  BACKUP_RESOURCE_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'The {target} {id} to back up does not exist (it may have been deleted).',
  },
  BACKUP_TASK_WITHOUT_DATA: {
    status: 400,
    retryable: false,
    message: 'Backup of a task without data is not allowed',
  },
  BACKUP_CLOUD_STORAGE_DETACHED: {
    status: 400,
    retryable: false,
    message:
      'Task {taskId} keeps its media in a cloud storage, but none is attached to it: attach one (PATCH /api/tasks/{taskId}/data/meta with {"cloud_storage_id": N}) or make a lightweight backup.',
  },
  BACKUP_UNSUPPORTED_MEDIA: {
    status: 400,
    retryable: false,
    message: 'This backup cannot be restored: {reason}.',
  },
  BACKUP_MANIFEST_MISSING: {
    status: 400,
    retryable: false,
    message:
      'The backup has no data/manifest.jsonl: the media of the task cannot be listed. Make a new backup of the task with CVAT 2.0 or later.',
  },
  BACKUP_LIGHTWEIGHT_MEDIA: {
    status: 400,
    retryable: false,
    message:
      'Expected manifest.jsonl in backup files: a lightweight backup (storage "cloud_storage") must hold only data/manifest.jsonl, this one holds {count} files.',
  },
  BACKUP_LABELS_MISMATCH: {
    status: 400,
    retryable: false,
    message:
      'The backup cannot be restored into project {projectId}: {problem}. Restore it as a task of its own, or add the label to the project first.',
  },
  BACKUP_PROJECT_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'Project {projectId} does not exist or is not yours.',
  },
  BACKUP_CLOUD_STORAGE_UNUSABLE: {
    status: 400,
    retryable: false,
    message: 'Cloud storage {id} ("{name}") cannot be opened: {reason}. Update its credentials.',
  },
  BACKUP_CLOUD_STORAGE_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'Cloud storage {id} does not exist (it may have been deleted).',
  },
  BACKUP_VIDEO_MEDIA_MISMATCH: {
    status: 400,
    retryable: false,
    message:
      'The video manifest of the backup names "{name}", but {entry} holds {found}: the data of a video task is that one video and manifest.jsonl, nothing else. Make a new backup of the task.',
  },
  BACKUP_VIDEO_FRAMES_MISMATCH: {
    status: 400,
    retryable: false,
    message:
      '{entry} does not fit its video: {problem} (data/manifest.jsonl says the video has {length} frames). Make a new backup of the task.',
  },
  BACKUP_JOB_OUTSIDE_TASK: {
    status: 400,
    retryable: false,
    message:
      'Job {job} of {entry} covers frames {start}-{stop}, but the task has {count} frames (those of data/manifest.jsonl): a job beyond them has no images to show. Make a new backup of the task.',
  },
  BACKUP_JOB_FILES_MISMATCH: {
    status: 400,
    retryable: false,
    message:
      'The "files" of job {job} of {entry} do not fit the task\'s frames: {problem}. Restored as it is, the job\'s annotations would lie on other images. Make a new backup of the task.',
  },
  BACKUP_MIXED_DIMENSIONS: {
    status: 400,
    retryable: false,
    message:
      'data/manifest.jsonl lists both point clouds (.pcd, .bin) and images ({example}): a task is either 3D or 2D. Make a new backup of the task.',
  },
  BACKUP_PROJECT_MIXED_DIMENSIONS: {
    status: 400,
    retryable: false,
    message:
      "Task {task} of the project backup is {dimension}, but the project's first task, {first}, is {firstDimension}: the tasks of a project are all 2D or all 3D, and CVAT refuses this backup too. Restore that task on its own (as a task backup), or back up a project whose tasks share one dimension.",
  },
  BACKUP_PROJECT_DIMENSION_MISMATCH: {
    status: 400,
    retryable: false,
    message:
      'Task {task} of the backup is {dimension}, but project {project} holds {projectDimension} tasks: the tasks of a project are all 2D or all 3D, and CVAT refuses this too. Restore the task on its own, or into a project of {dimension} tasks (or one without tasks).',
  },
  BACKUP_GUIDE_ASSET_UNSUPPORTED: {
    status: 400,
    retryable: false,
    message:
      'The annotation guide asset {entry} is not a PNG, JPEG, GIF, WebP or PDF file (by its name), the only kinds CVAT keeps as guide assets: CVAT refuses this backup too. Remove the asset from the archive (or convert it and fix its link in annotation_guide.md), then restore again.',
  },
  BACKUP_GUIDE_TOO_MANY_ASSETS: {
    status: 400,
    retryable: false,
    message:
      'The annotation guide has {count} assets under {entry}; CVAT keeps at most {limit} per guide and refuses this backup too. Remove some assets from the archive, then restore again.',
  },
  BACKUP_VIDEO_MANIFEST_MISSING: {
    status: 400,
    retryable: false,
    message:
      'The backup holds the video {entry} but no data/manifest.jsonl. CVAT rebuilds a missing video manifest by decoding the video, and this server cannot decode video: restore this backup in CVAT itself.',
  },
  BACKUP_TASK_MEDIA_INCONSISTENT: {
    status: 500,
    retryable: false,
    message:
      'Task {taskId} cannot be backed up with its media: its frame {frame} is {path} in the catalog, but its media manifest names {named} there. Frames would land on the wrong images; make a lightweight backup, or report this task to the administrator.',
  },
  BACKUP_RESTORE_MEDIA_INCOMPLETE: {
    status: 500,
    retryable: true,
    message:
      'The restore stopped before recording anything: {problem} (and {others} more of the {count} media files it copied under {prefix}). Another attempt of the same restore, running at the same time, most likely removed what this one had copied. Nothing was created and the restore is retried by itself; if this is its last word, start the restore again.',
  },
});
