export type ShapeType =
  | 'rectangle'
  | 'polygon'
  | 'polyline'
  | 'points'
  | 'ellipse'
  | 'cuboid'
  | 'mask'
  | 'skeleton';
export type AnnotationSource = 'manual' | 'auto' | 'semi-auto' | 'file' | 'consensus';

/** `{spec_id, value}`: spec_id is the attribute id of the object's label; value is always a string. */
export interface AttributeValue {
  spec_id: number;
  value: string;
}

/** Input objects follow CVAT's `LabeledData` with its defaults; `id` is ignored except by `update`. */
export interface TagInput {
  id?: number | null;
  label_id: number;
  frame: number;
  group?: number | null;
  source?: AnnotationSource;
  attributes?: AttributeValue[];
}

export interface ShapeElementInput {
  id?: number | null;
  label_id: number;
  type: ShapeType;
  frame: number;
  group?: number | null;
  source?: AnnotationSource;
  score?: number;
  occluded?: boolean;
  outside?: boolean;
  z_order?: number;
  rotation?: number;
  points?: number[];
  attributes?: AttributeValue[];
}

export interface ShapeInput extends ShapeElementInput {
  elements?: ShapeElementInput[];
}

export interface TrackedShapeInput {
  id?: number | null;
  type: ShapeType;
  frame: number;
  occluded?: boolean;
  outside?: boolean;
  z_order?: number;
  rotation?: number;
  points?: number[];
  attributes?: AttributeValue[];
}

export interface TrackElementInput {
  id?: number | null;
  label_id: number;
  frame: number;
  group?: number | null;
  source?: AnnotationSource;
  shapes: TrackedShapeInput[];
  attributes?: AttributeValue[];
}

export interface TrackInput extends TrackElementInput {
  elements?: TrackElementInput[];
}

/** One top-level object of a streamed write. */
export type AnnotationItem =
  | { kind: 'tag'; value: TagInput }
  | { kind: 'shape'; value: ShapeInput }
  | { kind: 'track'; value: TrackInput };

/** Output objects: CVAT's fields, in CVAT's output order, defaults filled in. */
export interface Tag {
  id: number;
  label_id: number;
  frame: number;
  group: number;
  source: AnnotationSource;
  attributes: AttributeValue[];
}

export interface ShapeElement {
  id: number;
  label_id: number;
  type: ShapeType;
  frame: number;
  group: number;
  source: AnnotationSource;
  score: number;
  occluded: boolean;
  outside: boolean;
  z_order: number;
  rotation: number;
  points: number[];
  attributes: AttributeValue[];
}

export interface Shape extends ShapeElement {
  elements: ShapeElement[];
}

export interface TrackedShape {
  id: number;
  type: ShapeType;
  frame: number;
  occluded: boolean;
  outside: boolean;
  z_order: number;
  rotation: number;
  points: number[];
  attributes: AttributeValue[];
}

export interface TrackElement {
  id: number;
  label_id: number;
  frame: number;
  group: number;
  source: AnnotationSource;
  shapes: TrackedShape[];
  attributes: AttributeValue[];
}

export interface Track extends TrackElement {
  elements: TrackElement[];
}

/**
 * A job's annotations as three streams, each from its own cursor, in a stable order (by id; elements
 * right after their parent; tracked shapes by frame). Inside a transaction iterate them one after the
 * other, not interleaved.
 */
export interface JobAnnotations {
  version: number;
  tags(): AsyncIterable<Tag>;
  shapes(): AsyncIterable<Shape>;
  tracks(): AsyncIterable<Track>;
}

export interface WriteCounts {
  tags: number;
  shapes: number;
  tracks: number;
}

export interface AnnotationIds {
  tags?: readonly number[];
  shapes?: readonly number[];
  tracks?: readonly number[];
}

/**
 * Annotations of one job. Writes validate every object (label and attribute ids of the task, frame
 * inside the job, shape type and point count) and go to PostgreSQL with COPY in bounded batches; each
 * write is atomic and moves the job's and task's `updated_date`. The API checks job visibility first
 * (`jobs.get(actor, id)`).
 */
export interface AnnotationRepository {
  /** Adds objects (new ids). Accepts any number, streamed. */
  append(
    jobId: number,
    items: Iterable<AnnotationItem> | AsyncIterable<AnnotationItem>,
  ): Promise<WriteCounts>;
  /** PUT: replaces everything in the job. */
  replace(
    jobId: number,
    items: Iterable<AnnotationItem> | AsyncIterable<AnnotationItem>,
  ): Promise<WriteCounts>;
  /** PATCH action=update: objects keep their ids; an unknown id is CATALOG_REFERENCE_NOT_FOUND. */
  update(
    jobId: number,
    items: Iterable<AnnotationItem> | AsyncIterable<AnnotationItem>,
  ): Promise<WriteCounts>;
  /** PATCH action=delete: deletes top-level objects by id; returns how many were deleted. */
  delete(jobId: number, ids: AnnotationIds): Promise<WriteCounts>;
  /** DELETE: removes everything in the job. */
  clear(jobId: number): Promise<void>;
  read(jobId: number): JobAnnotations;
  /**
   * Task-level GET: the annotations of the task's annotation jobs (plus ground-truth jobs of a
   * `gt_pool` task), job after job in segment order. Objects in overlapping frames are not merged
   * (CVAT deduplicates them); with overlap 0, the default for images, this is CVAT's answer.
   */
  readTask(taskId: number): JobAnnotations;
  /**
   * Task-level PUT: clears those jobs and writes each object into the first job that holds all its
   * frames; an object (e.g. a track) spanning two jobs is CATALOG_ANNOTATION_INVALID. Atomic.
   */
  replaceTask(
    taskId: number,
    items: Iterable<AnnotationItem> | AsyncIterable<AnnotationItem>,
  ): Promise<WriteCounts>;
  count(jobId: number): Promise<WriteCounts>;
}

/** Turns CVAT's `{tags, shapes, tracks}` arrays into write items. */
export function* itemsOf(data: {
  tags?: readonly TagInput[];
  shapes?: readonly ShapeInput[];
  tracks?: readonly TrackInput[];
}): Iterable<AnnotationItem> {
  for (const value of data.tags ?? []) yield { kind: 'tag', value };
  for (const value of data.shapes ?? []) yield { kind: 'shape', value };
  for (const value of data.tracks ?? []) yield { kind: 'track', value };
}
