import type {
  Actor,
  BasicUser,
  ListQuery,
  Page,
  StorageSetting,
  StorageSettingInput,
} from './common.types.js';
import type { LabelInput } from './label.repository.js';
import type { ResourceStatus } from './project.repository.js';

/**
 * Everything CVAT's `TaskRead` needs (the API adds the urls and omits the `data_*` keys when `data`
 * is null). `data_cloud_storage_id` is null for local data and for a task restored detached.
 */
export interface TaskRecord {
  id: number;
  name: string;
  project_id: number | null;
  project_name: string | null;
  owner: BasicUser | null;
  assignee: BasicUser | null;
  bug_tracker: string;
  created_date: Date;
  updated_date: Date;
  overlap: number | null;
  segment_size: number;
  status: ResourceStatus;
  data: number | null;
  data_chunk_size: number | null;
  data_original_chunk_type: 'video' | 'imageset' | 'list' | null;
  data_compressed_chunk_type: 'video' | 'imageset' | 'list' | null;
  data_cloud_storage_id: number | null;
  /** `local` | `share` | `cloud_storage`; null before data. */
  data_storage: 'local' | 'share' | 'cloud_storage' | null;
  guide_id: number | null;
  size: number | null;
  image_quality: number | null;
  dimension: '2d' | '3d';
  mode: '' | 'annotation' | 'interpolation';
  media_type: string | null;
  subset: string;
  organization_id: number | null;
  target_storage: StorageSetting | null;
  source_storage: StorageSetting | null;
  jobs: { count: number; completed: number; validation: number };
  assignee_updated_date: Date | null;
  validation_mode: 'gt' | 'gt_pool' | null;
  consensus_replicas: number;
  import_request_id: string | null;
}

export interface NewTask {
  name: string;
  /** With a project, `labels` must be empty: the task uses the project's labels. */
  project_id?: number | null;
  labels?: LabelInput[];
  owner_id?: number | null;
  assignee_id?: number | null;
  bug_tracker?: string;
  overlap?: number | null;
  segment_size?: number;
  subset?: string;
  status?: ResourceStatus;
  mode?: '' | 'annotation' | 'interpolation';
  dimension?: '2d' | '3d';
  consensus_replicas?: number;
  target_storage?: StorageSettingInput | null;
  source_storage?: StorageSettingInput | null;
  import_request_id?: string | null;
}

export interface TaskPatch {
  name?: string;
  project_id?: number | null;
  labels?: LabelInput[];
  owner_id?: number | null;
  assignee_id?: number | null;
  bug_tracker?: string;
  subset?: string;
  status?: ResourceStatus;
  mode?: '' | 'annotation' | 'interpolation';
  target_storage?: StorageSettingInput | null;
  source_storage?: StorageSettingInput | null;
}

export interface TaskRepository {
  /** A `project_id` the actor cannot see is CATALOG_REFERENCE_NOT_FOUND. */
  create(actor: Actor, input: NewTask): Promise<TaskRecord>;
  /** Null when missing or not visible to the actor (answer 404). */
  get(actor: Actor, id: number): Promise<TaskRecord | null>;
  /**
   * Filters: id, name, owner, assignee (usernames), status, subset, mode, dimension, project_id,
   * project_name, tracker_link, validation_mode. Default sort `-id`.
   */
  list(actor: Actor, query?: ListQuery): Promise<Page<TaskRecord>>;
  update(actor: Actor, id: number, patch: TaskPatch): Promise<TaskRecord | null>;
  /** Deletes the task with its data rows, jobs and annotations (media objects are the caller's). */
  delete(actor: Actor, id: number): Promise<boolean>;
  /** The task a restore with this idempotency key committed, if any (no ownership check). */
  findByImportRequestId(importRequestId: string): Promise<TaskRecord | null>;
  /** Marks the task (and its project) changed; the repositories do it on every write already. */
  touch(id: number): Promise<void>;
}

/** The fields a task list can be filtered by (equality: `?name=` and `filter=` of CVAT's list API). */
export const TASK_FILTERS = [
  'id',
  'name',
  'owner',
  'assignee',
  'status',
  'subset',
  'mode',
  'dimension',
  'project_id',
  'project_name',
  'tracker_link',
  'validation_mode',
] as const;
