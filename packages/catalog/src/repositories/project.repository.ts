import type {
  Actor,
  BasicUser,
  ListQuery,
  Page,
  StorageSetting,
  StorageSettingInput,
} from './common.types.js';
import type { LabelInput } from './label.repository.js';

export type ResourceStatus = 'annotation' | 'validation' | 'completed';

/** Everything CVAT's `ProjectRead` needs (the API adds `url`, `tasks.url`, `labels.url`). */
export interface ProjectRecord {
  id: number;
  name: string;
  owner: BasicUser | null;
  assignee: BasicUser | null;
  guide_id: number | null;
  bug_tracker: string;
  task_subsets: string[];
  created_date: Date;
  updated_date: Date;
  status: ResourceStatus;
  dimension: '2d' | '3d' | null;
  organization_id: number | null;
  target_storage: StorageSetting | null;
  source_storage: StorageSetting | null;
  tasks_count: number;
  assignee_updated_date: Date | null;
  import_request_id: string | null;
}

export interface NewProject {
  name: string;
  labels?: LabelInput[];
  /** Defaults to the actor. */
  owner_id?: number | null;
  assignee_id?: number | null;
  bug_tracker?: string;
  status?: ResourceStatus;
  target_storage?: StorageSettingInput | null;
  source_storage?: StorageSettingInput | null;
  /** Idempotency key of a restore; unique. */
  import_request_id?: string | null;
}

export interface ProjectPatch {
  name?: string;
  /** CVAT PATCH semantics (upsert by id, `deleted: true`). */
  labels?: LabelInput[];
  owner_id?: number | null;
  assignee_id?: number | null;
  bug_tracker?: string;
  status?: ResourceStatus;
  target_storage?: StorageSettingInput | null;
  source_storage?: StorageSettingInput | null;
}

export interface ProjectRepository {
  create(actor: Actor, input: NewProject): Promise<ProjectRecord>;
  /** Null when the project does not exist or the actor may not see it (answer 404). */
  get(actor: Actor, id: number): Promise<ProjectRecord | null>;
  /** Filters: id, name, owner (username), assignee (username), status. Default sort `-id`. */
  list(actor: Actor, query?: ListQuery): Promise<Page<ProjectRecord>>;
  update(actor: Actor, id: number, patch: ProjectPatch): Promise<ProjectRecord | null>;
  /** Deletes the project with its tasks, labels, jobs and annotations. */
  delete(actor: Actor, id: number): Promise<boolean>;
  /** The project a restore with this idempotency key committed, if any (no ownership check). */
  findByImportRequestId(importRequestId: string): Promise<ProjectRecord | null>;
}

/** The fields a project list can be filtered by (equality: `?name=` and `filter=` of CVAT's list API). */
export const PROJECT_FILTERS = ['id', 'name', 'owner', 'assignee', 'status'] as const;
