import { AppError } from '@cvat-backup/common';
import type {
  AnnotationAttribute,
  ElementShape,
  ElementTrack,
  Shape,
  Tag,
  Track,
  TrackedShape,
} from '../schema/annotations.schema.js';
import { asciiJson, pythonFloat } from './cvat-json.js';

/** A sync or async sequence: arrays, generators, database cursors. */
export type Many<T> = Iterable<T> | AsyncIterable<T>;

/** One job's annotations, in the order of `task.json`'s `jobs`. Items are pulled one at a time. */
export interface JobAnnotationsInput {
  /** Annotation IR version; CVAT writes 0. */
  version?: number;
  tags?: Many<Tag>;
  shapes?: Many<Shape>;
  tracks?: Many<Track>;
}

/** Output is flushed in pieces of about this many bytes. */
const FLUSH_AT = 1 << 18;

const str = asciiJson;

function num(n: number, what: string): string {
  if (!Number.isFinite(n))
    throw new AppError('FORMAT_INPUT_INVALID', { problems: `${what} is not a finite number` });
  return pythonFloat(n);
}

function int(n: number, what: string): string {
  if (!Number.isSafeInteger(n))
    throw new AppError('FORMAT_INPUT_INVALID', { problems: `${what} is not an integer` });
  return String(n);
}

function group(g: number | null): string {
  return g === null ? 'null' : int(g, 'group');
}

function attributes(list: readonly AnnotationAttribute[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    out += `${i ? ',' : ''}{"value":${str(a.value)},"name":${str(a.name)}}`;
  }
  return `${out}]`;
}

function points(list: readonly number[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) out += (i ? ',' : '') + num(list[i]!, 'a point coordinate');
  return `${out}]`;
}

/** Common head of shapes and tracked shapes: `type, occluded, outside, z_order, rotation, points, frame`. */
function geometry(s: TrackedShape | ElementShape): string {
  return (
    `"type":${str(s.type)},"occluded":${s.occluded},"outside":${s.outside},"z_order":${int(s.z_order, 'z_order')},` +
    `"rotation":${num(s.rotation, 'rotation')},"points":${points(s.points)},"frame":${int(s.frame, 'frame')}`
  );
}

function shapeText(s: Shape | ElementShape): string {
  let out = `{${geometry(s)},"group":${group(s.group)},"source":${str(s.source)},"attributes":${attributes(s.attributes)}`;
  const elements = (s as Shape).elements;
  if (elements !== undefined) out += `,"elements":[${elements.map(shapeText).join(',')}]`;
  return `${out},"label":${str(s.label)}}`;
}

function trackedShapeText(s: TrackedShape): string {
  return `{${geometry(s)},"attributes":${attributes(s.attributes)}}`;
}

function trackText(t: Track | ElementTrack): string {
  let out =
    `{"frame":${int(t.frame, 'frame')},"group":${group(t.group)},"source":${str(t.source)},` +
    `"shapes":[${t.shapes.map(trackedShapeText).join(',')}],"attributes":${attributes(t.attributes)}`;
  const elements = (t as Track).elements;
  if (elements !== undefined) out += `,"elements":[${elements.map(trackText).join(',')}]`;
  return `${out},"label":${str(t.label)}}`;
}

function tagText(t: Tag): string {
  return `{"frame":${int(t.frame, 'frame')},"group":${group(t.group)},"source":${str(t.source)},"attributes":${attributes(t.attributes)},"label":${str(t.label)}}`;
}

/**
 * Streams `annotations.json` (`[{"version":0,"tags":[…],"shapes":[…],"tracks":[…]},…]`) in CVAT's
 * key order and escaping, pulling one item at a time from the inputs: memory holds one output
 * piece (~256 KiB) and one item, whatever the number of shapes.
 */
export async function* serializeAnnotations(jobs: Many<JobAnnotationsInput>): AsyncGenerator<Buffer> {
  let pending = '';
  let first = true;
  pending += '[';
  for await (const job of jobs) {
    pending += `${first ? '' : ','}{"version":${int(job.version ?? 0, 'version')}`;
    first = false;
    for (const [key, items, render] of [
      ['tags', job.tags, tagText],
      ['shapes', job.shapes, shapeText],
      ['tracks', job.tracks, trackText],
    ] as const) {
      pending += `,"${key}":[`;
      let firstItem = true;
      for await (const item of (items ?? []) as Many<Tag & Shape & Track>) {
        pending += (firstItem ? '' : ',') + render(item);
        firstItem = false;
        if (pending.length >= FLUSH_AT) {
          // Everything is ASCII after escaping, so latin1 encodes it byte for byte (and fast).
          yield Buffer.from(pending, 'latin1');
          pending = '';
        }
      }
      pending += ']';
    }
    pending += '}';
  }
  pending += ']';
  yield Buffer.from(pending, 'latin1');
}
