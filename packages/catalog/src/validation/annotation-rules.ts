import { AppError } from '@cvat-backup/common';
import type {
  AnnotationItem,
  AttributeValue,
  ShapeElementInput,
  ShapeType,
  TrackElementInput,
  TrackedShapeInput,
} from '../repositories/annotation.repository.js';
import { INT32_MAX } from './field-rules.js';

/**
 * What the catalog accepts as an annotation, as pure rules: the repository runs them on every write,
 * and a restore runs them on a backup's annotations before it copies any media.
 */

export interface LabelInfo {
  parentId: number | null;
  attributeIds: Set<number>;
}

/** What a write into one job is checked against. */
export interface JobContext {
  jobId: number;
  /** How errors name the job when it has no id yet (a job of a backup being restored). */
  jobName?: string;
  taskId: number;
  startFrame: number;
  stopFrame: number;
  frames: Set<number> | null;
  labels: Map<number, LabelInfo>;
}

const isInt32 = (n: number) => Number.isInteger(n) && n >= -INT32_MAX - 1 && n <= INT32_MAX;
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

/** Validates one top-level object and its children; throws CATALOG_ANNOTATION_INVALID. */
export function validateItem(ctx: JobContext, item: AnnotationItem, index: number): void {
  // One checker object per item, methods on the prototype: this runs once per object of a million-shape write.
  new ItemChecker(ctx, item.kind, index).check(item);
}

class ItemChecker {
  constructor(
    private readonly ctx: JobContext,
    private readonly kind: string,
    private readonly index: number,
  ) {}

  fail(problem: string): never {
    throw new AppError('CATALOG_ANNOTATION_INVALID', {
      kind: this.kind,
      index: this.index,
      jobId: this.ctx.jobName ?? this.ctx.jobId,
      problem,
    });
  }

  check(item: AnnotationItem): void {
    switch (item.kind) {
      case 'tag':
        this.label(item.value.label_id, null);
        this.attributes(item.value.label_id, item.value.attributes);
        this.frame(item.value.frame);
        this.common(item.value);
        return;
      case 'shape': {
        const elements = item.value.elements ?? [];
        this.shape(item.value, null, elements.length);
        if (item.value.type !== 'skeleton' && elements.length)
          this.fail('only skeleton shapes may have elements');
        for (const e of elements) this.shape(e, item.value.label_id, 0);
        return;
      }
      case 'track': {
        const elements = item.value.elements ?? [];
        this.track(item.value, null, elements.length);
        for (const e of elements) this.track(e, item.value.label_id, 0);
        return;
      }
      default:
        this.fail('unknown kind');
    }
  }

  label(labelId: number, parent: number | null): void {
    const label = this.ctx.labels.get(labelId);
    if (!label) this.fail(`label_id ${labelId} is not a label of this task`);
    if (label.parentId !== parent)
      this.fail(
        parent === null
          ? `label_id ${labelId} is a skeleton sublabel; use it only inside elements`
          : `label_id ${labelId} is not a sublabel of label ${parent}`,
      );
  }

  attributes(labelId: number, attributes: readonly AttributeValue[] | undefined): void {
    if (!attributes) return;
    const known = this.ctx.labels.get(labelId)?.attributeIds;
    for (const a of attributes) {
      if (!known?.has(a.spec_id)) this.fail(`spec_id ${a.spec_id} is not an attribute of label ${labelId}`);
      if (typeof a.value !== 'string') this.fail(`the value of spec_id ${a.spec_id} must be a string`);
      // Stored in jsonb, which cannot hold U+0000 (the write would fail as an encoding error).
      if (a.value.includes('\u0000')) this.fail(`the value of spec_id ${a.spec_id} contains a NUL character`);
    }
  }

  frame(frame: number): void {
    const { startFrame, stopFrame, frames } = this.ctx;
    if (!Number.isInteger(frame) || frame < startFrame || frame > stopFrame || (frames && !frames.has(frame)))
      this.fail(`frame ${frame} is not a frame of this job`);
  }

  common(o: { group?: number | null; source?: string }): void {
    if (o.group != null && (!isInt32(o.group) || o.group < 0))
      this.fail(`group must be an integer within [0, ${INT32_MAX}]`);
    if (o.source !== undefined && !SOURCES.has(o.source))
      this.fail(`source "${o.source}" is not one of ${[...SOURCES].join(', ')}`);
  }

  geometry(s: TrackedShapeInput | ShapeElementInput, elementCount: number): void {
    if (!SHAPE_TYPES.has(s.type)) this.fail(`type "${s.type}" is not a shape type`);
    const problem = pointsProblem(s.type, s.points ?? [], elementCount);
    if (problem) this.fail(problem);
    if (s.rotation !== undefined && !(s.rotation >= 0 && s.rotation <= 360))
      this.fail('rotation must be within [0, 360]');
    if (s.z_order !== undefined && !isInt32(s.z_order))
      this.fail(`z_order must be an integer within [${-INT32_MAX - 1}, ${INT32_MAX}]`);
    if ('score' in s && s.score !== undefined && !(s.score >= 0 && s.score <= 1))
      this.fail('score must be within [0, 1]');
  }

  shape(s: ShapeElementInput, parent: number | null, elementCount: number): void {
    this.label(s.label_id, parent);
    this.attributes(s.label_id, s.attributes);
    this.frame(s.frame);
    this.common(s);
    this.geometry(s, elementCount);
  }

  track(t: TrackElementInput, parent: number | null, elementCount: number): void {
    this.label(t.label_id, parent);
    this.attributes(t.label_id, t.attributes);
    this.frame(t.frame);
    this.common(t);
    if (!Array.isArray(t.shapes)) this.fail('shapes must be an array');
    for (const s of t.shapes) {
      this.frame(s.frame);
      this.attributes(t.label_id, s.attributes);
      this.geometry(s, s.type === 'skeleton' ? elementCount : 0);
    }
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
