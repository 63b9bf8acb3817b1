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

const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
const CACHE_LIMIT = 4096;
const cache = new Map<string, string>();

/**
 * A JSON string literal, ASCII-escaped. Labels, attribute names, sources and types repeat on
 * every shape, so their literals are cached (a bounded map, cleared when full).
 */
function str(s: string): string {
  let literal = cache.get(s);
  if (literal === undefined) {
    literal = PLAIN.test(s) ? `"${s}"` : asciiJson(s);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    if (s.length <= 256) cache.set(s, literal);
  }
  return literal;
}

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

/** Collects ASCII text into fixed-size buffers, handing each one out when full. */
class PieceBuilder {
  #buffer = Buffer.allocUnsafe(FLUSH_AT);
  #used = 0;

  /** Appends text; returns a full piece to hand out, if one was completed. */
  append(text: string): Buffer | undefined {
    let full: Buffer | undefined;
    if (this.#used + text.length > this.#buffer.length) {
      full = this.take();
      if (text.length > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(text.length);
    }
    // Everything is ASCII after escaping, so latin1 copies it byte for byte.
    this.#used += this.#buffer.write(text, this.#used, 'latin1');
    return full;
  }

  take(): Buffer {
    const piece = this.#buffer.subarray(0, this.#used);
    this.#buffer = Buffer.allocUnsafe(FLUSH_AT);
    this.#used = 0;
    return piece;
  }
}

/**
 * Streams `annotations.json` (`[{"version":0,"tags":[…],"shapes":[…],"tracks":[…]},…]`) in CVAT's
 * key order and escaping, pulling one item at a time from the inputs: memory holds one output
 * piece (256 KiB) and one item, whatever the number of shapes.
 */
export async function* serializeAnnotations(jobs: Many<JobAnnotationsInput>): AsyncGenerator<Buffer> {
  const out = new PieceBuilder();
  let first = true;
  out.append('[');
  for await (const job of jobs) {
    const head = out.append(`${first ? '' : ','}{"version":${int(job.version ?? 0, 'version')}`);
    if (head) yield head;
    first = false;
    for (const [key, items, render] of [
      ['tags', job.tags, tagText],
      ['shapes', job.shapes, shapeText],
      ['tracks', job.tracks, trackText],
    ] as const) {
      const open = out.append(`,"${key}":[`);
      if (open) yield open;
      let firstItem = true;
      for await (const item of (items ?? []) as Many<Tag & Shape & Track>) {
        const piece = out.append((firstItem ? '' : ',') + render(item));
        firstItem = false;
        if (piece) yield piece;
      }
      const close = out.append(']');
      if (close) yield close;
    }
    const end = out.append('}');
    if (end) yield end;
  }
  const last = out.append(']');
  if (last) yield last;
  yield out.take();
}
