import { AppError } from '@cvat-backup/common';
import type {
  AnnotationItem,
  AttributeValue,
  ShapeElementInput,
  ShapeType,
  TrackElementInput,
  TrackedShapeInput,
} from '../repositories/annotation.repository.js';
import type { Queryable } from './db.js';

interface LabelInfo {
  parentId: number | null;
  attributeIds: Set<number>;
}

/** What a write into one job is checked against. */
export interface JobContext {
  jobId: number;
  taskId: number;
  startFrame: number;
  stopFrame: number;
  frames: Set<number> | null;
  labels: Map<number, LabelInfo>;
}

const SOURCES = new Set(['manual', 'auto', 'semi-auto', 'file', 'consensus']);
const SHAPE_TYPES = new Set([
  'rectangle',
  'polygon',
  'polyline',
  'points',
  'ellipse',
  'cuboid',
  'mask',
  'skeleton',
]);

/** Loads the job's frame range and its task's labels (the project's for a task in a project). */
export async function loadJobContext(db: Queryable, jobId: number): Promise<JobContext> {
  const { rows } = await db.query<{
    task_id: number;
    project_id: number | null;
    start_frame: number;
    stop_frame: number;
    frames: number[] | null;
  }>(
    `SELECT j.task_id, t.project_id, s.start_frame, s.stop_frame, s.frames
     FROM jobs j JOIN segments s ON s.id = j.segment_id JOIN tasks t ON t.id = j.task_id WHERE j.id = $1`,
    [jobId],
  );
  const job = rows[0];
  if (!job) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'job', id: jobId });
  const { rows: labels } = await db.query<{ id: number; parent_id: number | null; attribute_ids: number[] }>(
    `SELECT l.id, l.parent_id, ARRAY(SELECT a.id FROM label_attributes a WHERE a.label_id = l.id) AS attribute_ids
     FROM labels l WHERE l.project_id = $1 OR ($1::integer IS NULL AND l.task_id = $2)`,
    [job.project_id, job.task_id],
  );
  return {
    jobId,
    taskId: job.task_id,
    startFrame: job.start_frame,
    stopFrame: job.stop_frame,
    frames: job.frames ? new Set(job.frames) : null,
    labels: new Map(
      labels.map((l) => [l.id, { parentId: l.parent_id, attributeIds: new Set(l.attribute_ids) }]),
    ),
  };
}

/** Validates one top-level object and its children; throws CATALOG_ANNOTATION_INVALID. */
export function validateItem(ctx: JobContext, item: AnnotationItem, index: number): void {
  const fail = (problem: string): never => {
    throw new AppError('CATALOG_ANNOTATION_INVALID', { kind: item.kind, index, jobId: ctx.jobId, problem });
  };
  const checkLabel = (labelId: number, parent: number | null) => {
    const label = ctx.labels.get(labelId);
    if (!label) fail(`label_id ${labelId} is not a label of this task`);
    else if (label.parentId !== parent)
      fail(
        parent === null
          ? `label_id ${labelId} is a skeleton sublabel; use it only inside elements`
          : `label_id ${labelId} is not a sublabel of label ${parent}`,
      );
  };
  const checkAttributes = (labelId: number, attributes: readonly AttributeValue[] | undefined) => {
    for (const a of attributes ?? []) {
      if (!ctx.labels.get(labelId)?.attributeIds.has(a.spec_id))
        fail(`spec_id ${a.spec_id} is not an attribute of label ${labelId}`);
      if (typeof a.value !== 'string') fail(`the value of spec_id ${a.spec_id} must be a string`);
    }
  };
  const checkFrame = (frame: number) => {
    if (
      !Number.isInteger(frame) ||
      frame < ctx.startFrame ||
      frame > ctx.stopFrame ||
      (ctx.frames && !ctx.frames.has(frame))
    )
      fail(`frame ${frame} is not a frame of this job`);
  };
  const checkCommon = (o: { group?: number | null; source?: string }) => {
    if (o.group != null && (!Number.isInteger(o.group) || o.group < 0)) fail('group must be an integer >= 0');
    if (o.source !== undefined && !SOURCES.has(o.source))
      fail(`source "${o.source}" is not one of ${[...SOURCES].join(', ')}`);
  };
  const checkGeometry = (s: TrackedShapeInput | ShapeElementInput, elementCount: number) => {
    if (!SHAPE_TYPES.has(s.type)) fail(`type "${s.type}" is not a shape type`);
    const problem = pointsProblem(s.type, s.points ?? [], elementCount);
    if (problem) fail(problem);
    if (s.rotation !== undefined && !(s.rotation >= 0 && s.rotation <= 360))
      fail('rotation must be within [0, 360]');
    if (s.z_order !== undefined && !Number.isInteger(s.z_order)) fail('z_order must be an integer');
    if ('score' in s && s.score !== undefined && !(s.score >= 0 && s.score <= 1))
      fail('score must be within [0, 1]');
  };
  const checkShape = (s: ShapeElementInput, parent: number | null, elementCount: number) => {
    checkLabel(s.label_id, parent);
    checkAttributes(s.label_id, s.attributes);
    checkFrame(s.frame);
    checkCommon(s);
    checkGeometry(s, elementCount);
  };
  const checkTrack = (t: TrackElementInput, parent: number | null, elementCount: number) => {
    checkLabel(t.label_id, parent);
    checkAttributes(t.label_id, t.attributes);
    checkFrame(t.frame);
    checkCommon(t);
    if (!Array.isArray(t.shapes)) fail('shapes must be an array');
    for (const s of t.shapes) {
      checkFrame(s.frame);
      checkAttributes(t.label_id, s.attributes);
      checkGeometry(s, s.type === 'skeleton' ? elementCount : 0);
    }
  };
  switch (item.kind) {
    case 'tag':
      checkLabel(item.value.label_id, null);
      checkAttributes(item.value.label_id, item.value.attributes);
      checkFrame(item.value.frame);
      checkCommon(item.value);
      return;
    case 'shape': {
      const elements = item.value.elements ?? [];
      checkShape(item.value, null, elements.length);
      if (item.value.type !== 'skeleton' && elements.length) fail('only skeleton shapes may have elements');
      for (const e of elements) checkShape(e, item.value.label_id, 0);
      return;
    }
    case 'track': {
      const elements = item.value.elements ?? [];
      checkTrack(item.value, null, elements.length);
      for (const e of elements) checkTrack(e, item.value.label_id, 0);
      return;
    }
    default:
      fail('unknown kind');
  }
}

/** CVAT's point-count rules per shape type; undefined when fine. */
function pointsProblem(type: ShapeType, points: readonly number[], elementCount: number): string | undefined {
  if (!points.every((p) => typeof p === 'number' && Number.isFinite(p)))
    return 'points must be finite numbers';
  const n = points.length;
  const even = n % 2 === 0;
  switch (type) {
    case 'rectangle':
    case 'ellipse':
      return n === 4 ? undefined : `a ${type} needs 4 points values, got ${n}`;
    case 'polygon':
      return n >= 6 && even ? undefined : `a polygon needs an even number >= 6 of points values, got ${n}`;
    case 'polyline':
      return n >= 4 && even ? undefined : `a polyline needs an even number >= 4 of points values, got ${n}`;
    case 'points':
      return n >= 2 && even ? undefined : `points need an even number >= 2 of values, got ${n}`;
    case 'cuboid':
      return n === 16 ? undefined : `a cuboid needs 16 points values, got ${n}`;
    case 'mask':
      return n >= 5 ? undefined : `a mask needs at least 5 values (RLE and bounding box), got ${n}`;
    case 'skeleton':
      return elementCount >= 1 ? undefined : 'a skeleton needs at least one element';
  }
}
