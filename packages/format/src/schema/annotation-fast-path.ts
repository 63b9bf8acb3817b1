import type { Shape, Tag, Track } from './annotations.schema.js';
import { SHAPE_TYPES } from './annotations.schema.js';

/**
 * Allocation-free checks for annotations already in the newest shape (exactly CVAT's keys, right
 * types): what `annotationsSchema` would accept and return unchanged. Anything else (older eras,
 * extra keys, errors) goes through the zod schemas, which stay the definition of the format; a
 * test holds the two in agreement.
 */
const shapeTypes: ReadonlySet<unknown> = new Set(SHAPE_TYPES);

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): boolean => Number.isSafeInteger(v);
const isFrame = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isGroup = (v: unknown): boolean => v === null || isFrame(v);

function keyCount(o: Obj): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

function isAttributes(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const a of v) {
    if (
      !isObject(a) ||
      typeof a['value'] !== 'string' ||
      typeof a['name'] !== 'string' ||
      keyCount(a) !== 2
    ) {
      return false;
    }
  }
  return true;
}

function isPoints(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const p of v) if (typeof p !== 'number') return false;
  return true;
}

/** `type, occluded, outside, z_order, rotation, points, frame, attributes` (a tracked shape's keys). */
function isGeometry(o: Obj): boolean {
  return (
    shapeTypes.has(o['type']) &&
    typeof o['occluded'] === 'boolean' &&
    typeof o['outside'] === 'boolean' &&
    isInt(o['z_order']) &&
    typeof o['rotation'] === 'number' &&
    isPoints(o['points']) &&
    isFrame(o['frame']) &&
    isAttributes(o['attributes'])
  );
}

function isShapeLike(v: unknown, allowElements: boolean): boolean {
  if (!isObject(v)) return false;
  const elements = v['elements'];
  const expected = elements === undefined ? 11 : 12;
  if (elements !== undefined) {
    if (!allowElements || !Array.isArray(elements)) return false;
    for (const e of elements) if (!isShapeLike(e, false)) return false;
  }
  return (
    keyCount(v) === expected &&
    isGeometry(v) &&
    isGroup(v['group']) &&
    typeof v['source'] === 'string' &&
    typeof v['label'] === 'string'
  );
}

function isTrackLike(v: unknown, allowElements: boolean): boolean {
  if (!isObject(v)) return false;
  const elements = v['elements'];
  const expected = elements === undefined ? 6 : 7;
  if (elements !== undefined) {
    if (!allowElements || !Array.isArray(elements)) return false;
    for (const e of elements) if (!isTrackLike(e, false)) return false;
  }
  const shapes = v['shapes'];
  if (!Array.isArray(shapes)) return false;
  for (const s of shapes) if (!isObject(s) || keyCount(s) !== 8 || !isGeometry(s)) return false;
  return (
    keyCount(v) === expected &&
    isFrame(v['frame']) &&
    isGroup(v['group']) &&
    typeof v['source'] === 'string' &&
    isAttributes(v['attributes']) &&
    typeof v['label'] === 'string'
  );
}

export function isNewestTag(v: unknown): v is Tag {
  return (
    isObject(v) &&
    keyCount(v) === 5 &&
    isFrame(v['frame']) &&
    isGroup(v['group']) &&
    typeof v['source'] === 'string' &&
    isAttributes(v['attributes']) &&
    typeof v['label'] === 'string'
  );
}

export function isNewestShape(v: unknown): v is Shape {
  return isShapeLike(v, true);
}

export function isNewestTrack(v: unknown): v is Track {
  return isTrackLike(v, true);
}
