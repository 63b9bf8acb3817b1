import type { Actor, BasicUser, ListQuery, Page, StorageSetting } from './common.types.js';
import type { ResourceStatus } from './project.repository.js';

export type JobType = 'annotation' | 'ground_truth' | 'consensus_replica';
export type JobStage = 'annotation' | 'validation' | 'acceptance';
export type JobState = 'new' | 'in progress' | 'completed' | 'rejected';

/** Everything CVAT's `JobRead` needs (the API adds urls, `issues`, `labels`). */
export interface JobRecord {
  id: number;
  task_id: number;
  task_name: string;
  project_id: number | null;
  project_name: string | null;
  assignee: BasicUser | null;
  guide_id: number | null;
  dimension: string;
  mode: string;
  media_type: string | null;
  bug_tracker: string | null;
  status: ResourceStatus;
  stage: JobStage;
  state: JobState;
  frame_count: number;
  start_frame: number;
  stop_frame: number;
  /** Specific frames (ground-truth jobs), task-relative and sorted; null for range segments. */
  frames: number[] | null;
  segment_id: number;
  segment_type: 'range' | 'specific_frames';
  data_chunk_size: number | null;
  data_compressed_chunk_type: string | null;
  data_original_chunk_type: string | null;
  created_date: Date;
  updated_date: Date;
  type: JobType;
  organization_id: number | null;
  target_storage: StorageSetting | null;
  source_storage: StorageSetting | null;
  assignee_updated_date: Date | null;
  parent_job_id: number | null;
  replicas_count: number;
}

export interface JobInput {
  type?: JobType;
  status?: ResourceStatus;
  stage?: JobStage;
  state?: JobState;
  assignee_id?: number | null;
}

/** A segment of the task's frames and the jobs on it (one annotation job unless given). */
export interface SegmentInput {
  type?: 'range' | 'specific_frames';
  start_frame: number;
  stop_frame: number;
  /** Required for `specific_frames` (ground-truth jobs): task-relative frames. */
  frames?: number[];
  jobs?: JobInput[];
}

export interface JobPatch {
  assignee_id?: number | null;
  stage?: JobStage;
  state?: JobState;
}

export interface JobRepository {
  /** Creates segments and their jobs in one transaction; returns the jobs in creation order. */
  createSegments(taskId: number, segments: readonly SegmentInput[]): Promise<JobRecord[]>;
  get(actor: Actor, id: number): Promise<JobRecord | null>;
  /**
   * Filters: id, task_id, project_id, type, stage, state, assignee (username), task_name, project_name,
   * dimension, parent_job_id. Default sort `-id`. All job types unless `type` is given.
   */
  list(actor: Actor, query?: ListQuery): Promise<Page<JobRecord>>;
  /**
   * CVAT's PATCH: a stage change without a state resets the state to `new`; status is derived
   * (annotation stage → annotation; acceptance + completed → completed; else validation).
   */
  update(actor: Actor, id: number, patch: JobPatch): Promise<JobRecord | null>;
  /** Only ground-truth jobs can be removed (CATALOG_INVALID_VALUE otherwise); false when not visible. */
  delete(actor: Actor, id: number): Promise<boolean>;
  /** The task's jobs in CVAT's backup order: segments by their first job id, jobs by id (no ownership check). */
  forTask(taskId: number): Promise<JobRecord[]>;
}

/** CVAT's split of `size` frames into range segments of `segmentSize` with `overlap`. */
export function planRangeSegments(size: number, segmentSize: number, overlap: number): SegmentInput[] {
  if (size <= 0) return [];
  const length = segmentSize > 0 ? Math.min(segmentSize, size) : size;
  const step = Math.max(length - Math.min(overlap, length - 1), 1);
  const segments: SegmentInput[] = [];
  for (let start = 0; start < size; start += step) {
    const stop = Math.min(start + length - 1, size - 1);
    segments.push({ start_frame: start, stop_frame: stop });
    if (stop === size - 1) break;
  }
  return segments;
}

/** The fields a job list can be filtered by (equality: `?name=` and `filter=` of CVAT's list API). */
export const JOB_FILTERS = [
  'id',
  'task_id',
  'project_id',
  'type',
  'stage',
  'state',
  'assignee',
  'task_name',
  'project_name',
  'dimension',
  'parent_job_id',
] as const;
