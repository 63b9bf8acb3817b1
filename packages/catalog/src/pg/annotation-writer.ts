import type pg from 'pg';
import type {
  AnnotationItem,
  AttributeValue,
  ShapeElementInput,
  TrackElementInput,
  WriteCounts,
} from '../repositories/annotation.repository.js';
import { type JobContext, validateItem } from './annotation-validator.js';
import { type CopyValue, copyRows } from './copy-writer.js';

/** Objects (top-level plus children) held before a batch goes to PostgreSQL. */
export const DEFAULT_BATCH_ROWS = 10_000;

type Row = readonly CopyValue[];

const TAG_COLUMNS = ['id', 'job_id', 'label_id', 'frame', 'group', 'source', 'attributes'];
const SHAPE_COLUMNS = [
  'id',
  'job_id',
  'parent_id',
  'label_id',
  'type',
  'frame',
  'group',
  'source',
  'score',
  'occluded',
  'outside',
  'z_order',
  'rotation',
  'points',
  'attributes',
];
const TRACK_COLUMNS = ['id', 'job_id', 'parent_id', 'label_id', 'frame', 'group', 'source', 'attributes'];
const TRACKED_SHAPE_COLUMNS = [
  'track_id',
  'type',
  'frame',
  'occluded',
  'outside',
  'z_order',
  'rotation',
  'points',
  'attributes',
];

const json = (attributes: readonly AttributeValue[] | undefined): string =>
  JSON.stringify((attributes ?? []).map((a) => ({ spec_id: a.spec_id, value: a.value })));

/** Hands out ids from a table's sequence, fetched in blocks. */
class IdPool {
  private ids: number[] = [];
  private used = 0;
  constructor(
    private readonly client: pg.PoolClient,
    private readonly table: string,
  ) {}

  async reserve(n: number): Promise<void> {
    const left = this.ids.length - this.used;
    if (left >= n) return;
    const { rows } = await this.client.query<{ id: number }>(
      `SELECT nextval(pg_get_serial_sequence($1, 'id'))::int AS id FROM generate_series(1, $2)`,
      [this.table, n - left],
    );
    this.ids = [...this.ids.slice(this.used), ...rows.map((r) => r.id)];
    this.used = 0;
  }

  next(): number {
    return this.ids[this.used++]!;
  }
}

/**
 * Validates and writes objects in batches of about `batchRows` rows: ids come from the sequences (so
 * elements can point to their parent inside the same COPY), then one COPY per table. With `keepIds`
 * top-level objects and elements keep the ids they carry (PATCH update).
 */
export async function writeAnnotations(
  client: pg.PoolClient,
  ctx: JobContext,
  items: Iterable<AnnotationItem> | AsyncIterable<AnnotationItem>,
  options: { keepIds?: boolean; batchRows?: number } = {},
): Promise<WriteCounts> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const ids = {
    tag: new IdPool(client, 'annotation_tags'),
    shape: new IdPool(client, 'annotation_shapes'),
    track: new IdPool(client, 'annotation_tracks'),
  };
  const counts: WriteCounts = { tags: 0, shapes: 0, tracks: 0 };
  let batch: AnnotationItem[] = [];
  let pending = 0;
  let index = 0;
  // One batch is written while the next is read and validated, so JavaScript and PostgreSQL overlap;
  // at most two batches are in memory.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    await inFlight;
    if (!batch.length) return;
    const ready = batch;
    batch = [];
    pending = 0;
    inFlight = writeBatch(client, ctx, ready, ids, options.keepIds ?? false);
    inFlight.catch(() => {}); // observed by the next flush or below
  };
  try {
    for await (const item of items) {
      validateItem(ctx, item, index++);
      batch.push(item);
      if (item.kind === 'tag') {
        counts.tags++;
        pending++;
      } else if (item.kind === 'shape') {
        counts.shapes++;
        pending += 1 + (item.value.elements?.length ?? 0);
      } else {
        counts.tracks++;
        pending += 1 + item.value.shapes.length;
        for (const e of item.value.elements ?? []) pending += 1 + e.shapes.length;
      }
      if (pending >= batchRows) await flush();
    }
    await flush();
    await inFlight;
  } catch (err) {
    // Let a COPY still running finish (or fail) before the caller rolls back on this client.
    await inFlight.catch(() => {});
    throw err;
  }
  return counts;
}

async function writeBatch(
  client: pg.PoolClient,
  ctx: JobContext,
  batch: readonly AnnotationItem[],
  ids: { tag: IdPool; shape: IdPool; track: IdPool },
  keepIds: boolean,
): Promise<void> {
  const need = { tag: 0, shape: 0, track: 0 };
  const wants = (id: number | null | undefined) => !keepIds || id == null;
  for (const item of batch) {
    if (item.kind === 'tag') need.tag += wants(item.value.id) ? 1 : 0;
    else if (item.kind === 'shape')
      need.shape +=
        (wants(item.value.id) ? 1 : 0) + (item.value.elements ?? []).filter((e) => wants(e.id)).length;
    else
      need.track +=
        (wants(item.value.id) ? 1 : 0) + (item.value.elements ?? []).filter((e) => wants(e.id)).length;
  }
  await ids.tag.reserve(need.tag);
  await ids.shape.reserve(need.shape);
  await ids.track.reserve(need.track);
  const idFor = (pool: IdPool, given: number | null | undefined) =>
    wants(given) ? pool.next() : (given as number);

  const tags: Row[] = [];
  const shapes: Row[] = [];
  const tracks: Row[] = [];
  const trackedShapes: Row[] = [];
  const shapeRow = (id: number, parent: number | null, s: ShapeElementInput): Row => [
    id,
    ctx.jobId,
    parent,
    s.label_id,
    s.type,
    s.frame,
    s.group ?? 0,
    s.source ?? 'manual',
    s.score ?? 1,
    s.occluded ?? false,
    s.outside ?? false,
    s.z_order ?? 0,
    s.rotation ?? 0,
    s.points ?? [],
    json(s.attributes),
  ];
  const trackRows = (id: number, parent: number | null, t: TrackElementInput) => {
    tracks.push([
      id,
      ctx.jobId,
      parent,
      t.label_id,
      t.frame,
      t.group ?? 0,
      t.source ?? 'manual',
      json(t.attributes),
    ]);
    for (const s of t.shapes)
      trackedShapes.push([
        id,
        s.type,
        s.frame,
        s.occluded ?? false,
        s.outside ?? false,
        s.z_order ?? 0,
        s.rotation ?? 0,
        s.points ?? [],
        json(s.attributes),
      ]);
  };
  for (const item of batch) {
    if (item.kind === 'tag') {
      const t = item.value;
      tags.push([
        idFor(ids.tag, t.id),
        ctx.jobId,
        t.label_id,
        t.frame,
        t.group ?? 0,
        t.source ?? 'manual',
        json(t.attributes),
      ]);
    } else if (item.kind === 'shape') {
      const id = idFor(ids.shape, item.value.id);
      shapes.push(shapeRow(id, null, item.value));
      for (const e of item.value.elements ?? []) shapes.push(shapeRow(idFor(ids.shape, e.id), id, e));
    } else {
      const id = idFor(ids.track, item.value.id);
      trackRows(id, null, item.value);
      for (const e of item.value.elements ?? []) trackRows(idFor(ids.track, e.id), id, e);
    }
  }
  if (tags.length) await copyRows(client, 'annotation_tags', TAG_COLUMNS, tags);
  if (shapes.length) await copyRows(client, 'annotation_shapes', SHAPE_COLUMNS, shapes);
  if (tracks.length) await copyRows(client, 'annotation_tracks', TRACK_COLUMNS, tracks);
  if (trackedShapes.length)
    await copyRows(client, 'annotation_tracked_shapes', TRACKED_SHAPE_COLUMNS, trackedShapes);
}
