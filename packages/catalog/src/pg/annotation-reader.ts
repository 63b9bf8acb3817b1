import type {
  AnnotationSource,
  AttributeValue,
  JobAnnotations,
  Shape,
  ShapeElement,
  ShapeType,
  Tag,
  Track,
  TrackElement,
  TrackedShape,
} from '../repositories/annotation.repository.js';
import { readCursor } from './cursor-reader.js';
import type { Connections } from './db.js';

/** Rows fetched per cursor round trip. */
export const DEFAULT_READ_BATCH = 5000;

/** Rows carry points and attributes as text: parsing them here costs about half of pg's generic parsers. */
interface ShapeRow extends Omit<ShapeElement, 'points' | 'attributes'> {
  parent_id: number | null;
  points: string;
  attributes: string;
}

interface TrackRow {
  id: number;
  parent_id: number | null;
  label_id: number;
  frame: number;
  group: number;
  source: AnnotationSource;
  attributes: string;
  s_id: number | null;
  s_type: ShapeType;
  s_frame: number;
  s_occluded: boolean;
  s_outside: boolean;
  s_z_order: number;
  s_rotation: number;
  s_points: string;
  s_attributes: string;
}

const SHAPE_SQL = `SELECT id, parent_id, label_id, type, frame, "group", source, score, occluded, outside, z_order,
    rotation, points::text AS points, attributes::text AS attributes
  FROM annotation_shapes WHERE job_id = $1 ORDER BY coalesce(parent_id, id), id`;

const TRACK_SQL = `SELECT tr.id, tr.parent_id, tr.label_id, tr.frame, tr."group", tr.source, tr.attributes::text AS attributes,
    ts.id AS s_id, ts.type AS s_type, ts.frame AS s_frame, ts.occluded AS s_occluded, ts.outside AS s_outside,
    ts.z_order AS s_z_order, ts.rotation AS s_rotation, ts.points::text AS s_points, ts.attributes::text AS s_attributes
  FROM annotation_tracks tr LEFT JOIN annotation_tracked_shapes ts ON ts.track_id = tr.id
  WHERE tr.job_id = $1 ORDER BY coalesce(tr.parent_id, tr.id), tr.id, ts.frame, ts.id`;

/** PostgreSQL's text form of a float8[] (`{1,2.5,-3e-07}`); shortest round-trip output since PG 12. */
export function parseFloatArray(text: string): number[] {
  if (text.length <= 2) return [];
  const parts = text.slice(1, -1).split(',');
  const out = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = Number(parts[i]);
  return out;
}

/** jsonb stores keys in its own order; CVAT's is spec_id, value. */
function parseAttributes(text: string): AttributeValue[] {
  if (text === '[]') return [];
  return (JSON.parse(text) as AttributeValue[]).map((a) => ({ spec_id: a.spec_id, value: a.value }));
}

function element(r: ShapeRow): ShapeElement {
  return {
    id: r.id,
    label_id: r.label_id,
    type: r.type,
    frame: r.frame,
    group: r.group,
    source: r.source,
    score: r.score,
    occluded: r.occluded,
    outside: r.outside,
    z_order: r.z_order,
    rotation: r.rotation,
    points: parseFloatArray(r.points),
    attributes: parseAttributes(r.attributes),
  };
}

async function* tags(conn: Connections, jobId: number, batch: number): AsyncIterable<Tag> {
  for await (const row of readCursor<Omit<Tag, 'attributes'> & { attributes: string }>(
    conn,
    'SELECT id, label_id, frame, "group", source, attributes::text AS attributes FROM annotation_tags WHERE job_id = $1 ORDER BY id',
    [jobId],
    batch,
  ))
    yield { ...row, attributes: parseAttributes(row.attributes) };
}

async function* shapes(conn: Connections, jobId: number, batch: number): AsyncIterable<Shape> {
  let current: Shape | undefined;
  for await (const row of readCursor<ShapeRow>(conn, SHAPE_SQL, [jobId], batch)) {
    if (row.parent_id !== null && current?.id === row.parent_id) {
      current.elements.push(element(row));
      continue;
    }
    if (current) yield current;
    current = { ...element(row), elements: [] };
  }
  if (current) yield current;
}

async function* tracks(conn: Connections, jobId: number, batch: number): AsyncIterable<Track> {
  let current: Track | undefined;
  let open: TrackElement | undefined;
  for await (const row of readCursor<TrackRow>(conn, TRACK_SQL, [jobId], batch)) {
    if (open?.id !== row.id) {
      open = {
        id: row.id,
        label_id: row.label_id,
        frame: row.frame,
        group: row.group,
        source: row.source,
        shapes: [],
        attributes: parseAttributes(row.attributes),
      };
      if (row.parent_id !== null && current?.id === row.parent_id) current.elements.push(open);
      else {
        if (current) yield current;
        current = { ...open, elements: [] };
        open = current;
      }
    }
    if (row.s_id !== null) open.shapes.push(trackedShape(row));
  }
  if (current) yield current;
}

function trackedShape(r: TrackRow): TrackedShape {
  return {
    id: r.s_id!,
    type: r.s_type,
    frame: r.s_frame,
    occluded: r.s_occluded,
    outside: r.s_outside,
    z_order: r.s_z_order,
    rotation: r.s_rotation,
    points: parseFloatArray(r.s_points),
    attributes: parseAttributes(r.s_attributes),
  };
}

/** The three streams of one job's annotations. */
export function jobAnnotations(conn: Connections, jobId: number, batch = DEFAULT_READ_BATCH): JobAnnotations {
  return {
    version: 0,
    tags: () => tags(conn, jobId, batch),
    shapes: () => shapes(conn, jobId, batch),
    tracks: () => tracks(conn, jobId, batch),
  };
}
