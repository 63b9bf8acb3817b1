import type { Actor, ListQuery, Page } from './common.types.js';

export type LabelType =
  | 'any'
  | 'bbox'
  | 'cuboid'
  | 'cuboid_3d'
  | 'ellipse'
  | 'mask'
  | 'points'
  | 'polygon'
  | 'polyline'
  | 'rectangle'
  | 'skeleton'
  | 'tag';
export type AttributeInputType = 'checkbox' | 'radio' | 'number' | 'text' | 'select';

export interface AttributeRecord {
  id: number;
  name: string;
  mutable: boolean;
  input_type: AttributeInputType;
  default_value: string;
  values: string[];
}

export interface SublabelRecord {
  id: number;
  name: string;
  color: string;
  attributes: AttributeRecord[];
  type: LabelType;
  has_parent: true;
}

/**
 * A top-level label in CVAT's `Label` shape. `svg` (skeletons only) references sublabels by
 * `data-label-id`; exactly one of `project_id` / `task_id` is set.
 */
export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  attributes: AttributeRecord[];
  type: LabelType;
  svg?: string;
  sublabels: SublabelRecord[];
  project_id?: number;
  task_id?: number;
  parent_id: null;
  has_parent: false;
}

export interface AttributeInput {
  /** Present: update that attribute (PATCH); absent: create. */
  id?: number;
  name: string;
  mutable?: boolean;
  input_type: AttributeInputType;
  default_value?: string;
  values?: string[];
  deleted?: boolean;
}

/** CVAT's `LabelWrite`. In `svg`, sublabels are referenced by `data-label-name="<name>"`. */
export interface LabelInput {
  id?: number;
  name: string;
  color?: string;
  type?: LabelType;
  attributes?: AttributeInput[];
  svg?: string;
  sublabels?: LabelInput[];
  deleted?: boolean;
}

/** Labels belong to a project or to a task outside a project. */
export type LabelOwner = { projectId: number } | { taskId: number };

/** Which labels a list shows: those of a project, of a task (its project's if it has one) or of a job. */
export interface LabelScope {
  project_id?: number;
  task_id?: number;
  job_id?: number;
}

export interface LabelRepository {
  /** Creates labels (ids in the input are ignored) with attributes, sublabels and skeleton svg. */
  create(owner: LabelOwner, labels: readonly LabelInput[]): Promise<LabelRecord[]>;
  /**
   * CVAT's PATCH semantics: items with `id` update that label, `deleted: true` removes it (and its
   * annotations), items without `id` are created. An id of another owner is CATALOG_REFERENCE_NOT_FOUND.
   */
  apply(owner: LabelOwner, labels: readonly LabelInput[]): Promise<LabelRecord[]>;
  /** Every top-level label of the owner with its subtree, ordered by id (exporter, importer mapping). */
  tree(owner: LabelOwner): Promise<LabelRecord[]>;
  /** The labels annotations of a task may use (the project's when the task is in one). */
  treeOfTask(taskId: number): Promise<LabelRecord[]>;
  /** Top-level labels visible to the actor in the scope; null when the scope's resource is not visible. */
  list(actor: Actor, scope: LabelScope, query?: ListQuery): Promise<Page<LabelRecord> | null>;
  get(actor: Actor, id: number): Promise<LabelRecord | null>;
  /** PATCH /api/labels/{id}: applies one LabelWrite to a visible top-level label; null when not visible. */
  update(actor: Actor, id: number, input: Omit<LabelInput, 'id' | 'deleted'>): Promise<LabelRecord | null>;
  /** Deletes a top-level label; false when not found/visible. */
  delete(actor: Actor, id: number): Promise<boolean>;
}

/** The fields a label list can be filtered by (equality: `?name=` and `filter=` of CVAT's list API). */
export const LABEL_FILTERS = ['id', 'name', 'type', 'color', 'parent_id'] as const;
