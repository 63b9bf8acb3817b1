import type { DataRecord } from './data.repository.js';
import type { GuideRecord } from './guide.repository.js';
import type { JobType } from './job.repository.js';
import type { LabelRecord } from './label.repository.js';
import type { ProjectRecord, ResourceStatus } from './project.repository.js';
import type { TaskRecord } from './task.repository.js';

/** One entry of task.json's `jobs`, in CVAT's backup order. */
export interface BackupJob {
  id: number;
  type: JobType;
  status: ResourceStatus;
  start_frame: number;
  stop_frame: number;
  /** Ground-truth (specific frames) segments only. */
  frames: number[] | null;
  /**
   * Image paths of the segment's frames in frame order: only for range segments of a task with custom
   * segments (`segment_size = 0`) and for every job of a `gt_pool` task, as CVAT writes them.
   */
  files: string[] | null;
}

/**
 * What a task backup's task.json needs, read in one snapshot. Media, manifest lines and annotations are
 * streamed separately (`data.images`, `data.manifestLines`, `annotations.read(job.id)`), job by job in
 * `jobs` order.
 */
export interface TaskBackupView {
  task: TaskRecord;
  data: DataRecord | null;
  /** The labels annotations refer to (the project's when the task is in one), with subtrees. */
  labels: LabelRecord[];
  /** True when segment_size = 0 (CVAT's `custom_segments`). */
  custom_segments: boolean;
  jobs: BackupJob[];
  guide: GuideRecord | null;
}

export interface ProjectBackupView {
  project: ProjectRecord;
  labels: LabelRecord[];
  guide: GuideRecord | null;
  /** All tasks by id; those without data are skipped by a backup but still take an index. */
  tasks: Array<{ id: number; has_data: boolean }>;
}

/** Read models for the backup exporter (workers; no ownership check: the API checked access). */
export interface BackupViewRepository {
  task(taskId: number): Promise<TaskBackupView | null>;
  project(projectId: number): Promise<ProjectBackupView | null>;
}
