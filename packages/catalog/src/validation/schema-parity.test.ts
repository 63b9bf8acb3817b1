import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCatalog, type TestCatalog } from '../../test/catalog-fixture.js';
import type { AnnotationItem } from '../repositories/annotation.repository.js';
import { type JobContext, validateItem } from './annotation-rules.js';
import { INT32_MAX } from './field-rules.js';
import { checkNewLabels } from './label-rules.js';
import * as records from './record-rules.js';

/**
 * The catalog's limits are stated twice: as the schema's CHECKs (and column types) and as the pure
 * rules the repositories and a restore's pre-flight run first. Because the rule refuses first, a
 * migration that changed a CHECK without its rule would go unnoticed; so each pair is probed here
 * from both sides, the database with plain SQL on scratch rows (around the rules), at the limit and
 * one step past it.
 */

type Value = string | number | number[] | string[];

interface Limit {
  /** The pure rule, given the value where its caller would put it. */
  rule: (value: never) => void;
  table: string;
  column: string;
  at: Value;
  past: Value;
  /** The value as the column holds it, when the rule sees it inside something else. */
  stored?: (value: never) => unknown;
}

const INT32_MIN = -INT32_MAX - 1;
const data = (more: object) => records.checkDataFields({ image_quality: 70, ...more });
const image = (more: object) =>
  records.checkImageRow({ frame: 0, path: 'a.jpg', width: 1, height: 1, ...more });
const video = (more: object) =>
  data({ video: { path: 'v.mp4', width: 1, height: 1, byte_size: null, ...more } });
const attribute = (more: object) =>
  checkNewLabels([{ name: 'car', attributes: [{ name: 'a', input_type: 'text', ...more }] }]);

const job: JobContext = {
  jobId: 0,
  taskId: 0,
  startFrame: 0,
  stopFrame: INT32_MAX,
  frames: null,
  labels: new Map([[1, { parentId: null, attributeIds: new Set([7]) }]]),
};
const shape = (more: object) =>
  validateItem(
    job,
    { kind: 'shape', value: { label_id: 1, type: 'rectangle', frame: 0, points: [0, 0, 1, 1], ...more } },
    0,
  );
const tag = (more: object) =>
  validateItem(job, { kind: 'tag', value: { label_id: 1, frame: 0, ...more } } as AnnotationItem, 0);

const length = (n: number) => 'x'.repeat(n);

/** One rule's limits on one column: pairs of (value at the limit, first value past it). */
const limits = <T extends Value>(column: string, rule: (value: T) => void, ...pairs: Array<[T, T]>) =>
  pairs.map(([at, past]): Limit => {
    const [table, name] = column.split('.') as [string, string];
    return { table, column: name, rule: rule as Limit['rule'], at, past };
  });

/** The rows of `limits`, the column holding `stored(value)`. */
const storedAs = <T extends Value>(stored: (value: T) => unknown, rows: Limit[]): Limit[] =>
  rows.map((row) => ({ ...row, stored: stored as Limit['stored'] }));
const attributeValues = (value: string) => JSON.stringify([{ spec_id: 7, value }]);

const LIMITS: Limit[] = [
  ...limits('projects.name', (name: string) => records.checkResourceFields({ name }), [
    length(256),
    length(257),
  ]),
  ...limits(
    'tasks.name',
    (name: string) => records.checkResourceFields({ name }),
    [length(1), ''],
    ['🚗'.repeat(256), '🚗'.repeat(257)],
  ),
  ...limits('tasks.bug_tracker', (bug_tracker: string) => records.checkResourceFields({ bug_tracker }), [
    length(2000),
    length(2001),
  ]),
  ...limits('tasks.subset', (subset: string) => records.checkResourceFields({ subset }), [
    length(64),
    length(65),
  ]),
  ...limits(
    'tasks.segment_size',
    (segment_size: number) => records.checkResourceFields({ segment_size }),
    [0, -1],
  ),
  ...limits('tasks.overlap', (overlap: number) => records.checkResourceFields({ overlap }), [0, -1]),
  ...limits(
    'tasks.consensus_replicas',
    (consensus_replicas: number) => records.checkResourceFields({ consensus_replicas }),
    [0, -1],
    [INT32_MAX, INT32_MAX + 1],
  ),
  ...limits(
    'task_data.image_quality',
    (image_quality: number) => data({ image_quality }),
    [100, 101],
    [0, -1],
  ),
  ...limits('task_data.chunk_size', (chunk_size: number) => data({ chunk_size }), [1, 0]),
  ...limits('task_data.size', (size: number) => data({ size }), [0, -1]),
  ...limits('task_data.start_frame', (start_frame: number) => data({ start_frame, stop_frame: 4 }), [0, -1]),
  ...limits(
    'task_data.stop_frame',
    (stop_frame: number) => data({ start_frame: 2, stop_frame }),
    [2, 1],
    [INT32_MAX, INT32_MAX + 1],
  ),
  ...limits(
    'task_data.frame_filter',
    (frame_filter: string) => data({ frame_filter }),
    ['step=1', 'step=0'],
    ['step=10', 'step=01'],
  ),
  ...limits('task_data.deleted_frames', (deleted_frames: number[]) => data({ deleted_frames }), [
    [INT32_MAX],
    [INT32_MAX + 1],
  ]),
  ...limits(
    'task_data.validation_frames_per_job_count',
    (n: number) =>
      data({
        validation_layout: { mode: 'gt_pool', frames: [], disabled_frames: [], frames_per_job_count: n },
      }),
    [1, 0],
  ),
  ...limits('media_images.frame', (frame: number) => image({ frame }), [0, -1]),
  ...limits('media_images.path', (path: string) => image({ path }), [length(1024), length(1025)], ['x', '']),
  ...limits('media_images.width', (width: number) => image({ width }), [0, -1]),
  ...limits('media_images.height', (height: number) => image({ height }), [INT32_MAX, INT32_MAX + 1]),
  ...limits('media_images.byte_size', (byte_size: number) => image({ byte_size }), [0, -1]),
  ...limits('media_videos.path', (path: string) => video({ path }), [length(1024), length(1025)]),
  ...limits('media_videos.width', (width: number) => video({ width }), [0, -1]),
  ...limits('media_videos.height', (height: number) => video({ height }), [INT32_MAX, INT32_MAX + 1]),
  ...limits('media_videos.byte_size', (byte_size: number) => video({ byte_size }), [0, -1]),
  ...limits('labels.name', (name: string) => checkNewLabels([{ name }]), [length(64), length(65)], ['x', '']),
  ...limits(
    'labels.color',
    (color: string) => checkNewLabels([{ name: 'car', color }]),
    ['#09afAF', '#09afAG'],
    ['#000000', '#0000000'],
  ),
  ...limits('labels.svg', (svg: string) => checkNewLabels([{ name: 'car', svg }]), ['<c/>', '<c/>\u0000']),
  ...limits('label_attributes.name', (name: string) => attribute({ name }), [length(64), length(65)]),
  ...limits('label_attributes.default_value', (default_value: string) => attribute({ default_value }), [
    length(128),
    length(129),
  ]),
  ...limits(
    'segments.start_frame',
    (start_frame: number) => records.checkSegment({ start_frame, stop_frame: 4 }),
    [0, -1],
  ),
  ...limits(
    'segments.stop_frame',
    (stop_frame: number) => records.checkSegment({ start_frame: 2, stop_frame }),
    [2, 1],
    [INT32_MAX, INT32_MAX + 1],
  ),
  ...limits('annotation_guides.markdown', records.checkGuideMarkdown, ['# a', '# a\u0000']),
  ...limits(
    'guide_assets.filename',
    (filename: string) => records.checkAssetFields({ filename, size: 1 }, 1),
    [length(1024), length(1025)],
    ['x', ''],
  ),
  ...limits('annotation_tags.frame', (frame: number) => tag({ frame }), [0, -1]),
  ...limits('annotation_tags."group"', (group: number) => tag({ group }), [0, -1]),
  ...limits('annotation_shapes."group"', (group: number) => shape({ group }), [INT32_MAX, INT32_MAX + 1]),
  ...limits(
    'annotation_shapes.z_order',
    (z_order: number) => shape({ z_order }),
    [INT32_MIN, INT32_MIN - 1],
    [INT32_MAX, INT32_MAX + 1],
  ),
  ...limits('annotation_shapes.type', (type: string) => shape({ type }), ['ellipse', 'circle']),
  ...limits(
    'task_data.validation_frames',
    (frames: number[]) =>
      data({ validation_layout: { mode: 'gt', frames, disabled_frames: [], frames_per_job_count: null } }),
    [[INT32_MAX], [INT32_MAX + 1]],
  ),
  ...limits(
    'task_data.validation_disabled_frames',
    (disabled_frames: number[]) =>
      data({ validation_layout: { mode: 'gt', frames: [], disabled_frames, frames_per_job_count: null } }),
    [[INT32_MAX], [INT32_MAX + 1]],
  ),
  ...limits('media_images.related_files', (related_files: string[]) => image({ related_files }), [
    ['b.jpg'],
    ['b\u0000.jpg'],
  ]),
  ...limits('label_attributes."values"', (values: string[]) => attribute({ input_type: 'select', values }), [
    ['x'],
    ['x\u0000'],
  ]),
  ...storedAs(
    attributeValues,
    limits('annotation_tags.attributes', (value: string) => tag({ attributes: [{ spec_id: 7, value }] }), [
      'a',
      'a\u0000',
    ]),
  ),
];

/** SQLSTATEs of a value the database will not store: CHECK, integer out of range, NUL in text. */
const REFUSALS = new Set(['23514', '22003', '22021', '22P05']);

let t: TestCatalog;
let client: pg.PoolClient;
/** Each table's scratch row, as a WHERE clause. */
const scratch = new Map<string, string>();

async function insert(sql: string): Promise<number> {
  const { rows } = await client.query<{ id: number }>(`${sql} RETURNING id`);
  return rows[0]!.id;
}

beforeAll(async () => {
  t = await openTestCatalog();
  client = await t.pool.connect();
  const project = await insert(`INSERT INTO projects (name) VALUES ('p')`);
  const task = await insert(`INSERT INTO tasks (name) VALUES ('t')`);
  const dataId = await insert(
    `INSERT INTO task_data (task_id, image_quality, start_frame, stop_frame) VALUES (${task}, 70, 2, 4)`,
  );
  await client.query(
    `INSERT INTO media_images (data_id, frame, path, width, height) VALUES (${dataId}, 0, 'a.jpg', 1, 1)`,
  );
  await client.query(
    `INSERT INTO media_videos (data_id, path, width, height) VALUES (${dataId}, 'v.mp4', 1, 1)`,
  );
  const label = await insert(`INSERT INTO labels (task_id, name) VALUES (${task}, 'car')`);
  const attr = await insert(
    `INSERT INTO label_attributes (label_id, name, input_type) VALUES (${label}, 'a', 'text')`,
  );
  const segment = await insert(
    `INSERT INTO segments (task_id, start_frame, stop_frame) VALUES (${task}, 2, 4)`,
  );
  const jobId = await insert(`INSERT INTO jobs (segment_id, task_id) VALUES (${segment}, ${task})`);
  const guide = await insert(`INSERT INTO annotation_guides (task_id) VALUES (${task})`);
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO guide_assets (guide_id, filename, content) VALUES (${guide}, 'a.png', '\\x00') RETURNING id`,
  );
  const tagId = await insert(
    `INSERT INTO annotation_tags (job_id, label_id, frame) VALUES (${jobId}, ${label}, 0)`,
  );
  const shapeId = await insert(
    `INSERT INTO annotation_shapes (job_id, label_id, type, frame) VALUES (${jobId}, ${label}, 'rectangle', 0)`,
  );
  for (const [table, where] of Object.entries({
    projects: `id = ${project}`,
    tasks: `id = ${task}`,
    task_data: `id = ${dataId}`,
    media_images: `data_id = ${dataId}`,
    media_videos: `data_id = ${dataId}`,
    labels: `id = ${label}`,
    label_attributes: `id = ${attr}`,
    segments: `id = ${segment}`,
    annotation_guides: `id = ${guide}`,
    guide_assets: `id = '${rows[0]!.id}'`,
    annotation_tags: `id = ${tagId}`,
    annotation_shapes: `id = ${shapeId}`,
  }))
    scratch.set(table, where);
});
afterAll(async () => {
  client?.release();
  await t?.close();
});

/** What the database says to the value in the scratch row, the rules bypassed; nothing is kept. */
async function databaseVerdict(limit: Limit, value: Value): Promise<string> {
  await client.query('BEGIN');
  try {
    const { rowCount } = await client.query(
      `UPDATE ${limit.table} SET ${limit.column} = $1 WHERE ${scratch.get(limit.table)}`,
      [limit.stored ? (limit.stored as (v: Value) => unknown)(value) : value],
    );
    if (rowCount !== 1) return `no scratch row in ${limit.table}`;
    return 'accepted';
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    return REFUSALS.has(code) ? 'refused' : `failed otherwise (${code}: ${(err as Error).message})`;
  } finally {
    await client.query('ROLLBACK');
  }
}

function ruleVerdict(limit: Limit, value: Value): string {
  try {
    (limit.rule as (v: Value) => void)(value);
    return 'accepted';
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'CATALOG_INVALID_VALUE' || code === 'CATALOG_ANNOTATION_INVALID'
      ? 'refused'
      : `failed otherwise (${String(err)})`;
  }
}

const show = (v: Value) =>
  typeof v === 'string' && v.length > 12 ? `${v.slice(0, 4)}…(${[...v].length})` : JSON.stringify(v);

describe('the pure rules and the schema agree at each limit', () => {
  it.each(LIMITS.map((l) => [`${l.table}.${l.column}`, show(l.at), show(l.past), l] as const))(
    '%s: %s is stored, %s is refused, by the database and by the rule alike',
    async (_column, _at, _past, limit) => {
      expect({
        database: [await databaseVerdict(limit, limit.at), await databaseVerdict(limit, limit.past)],
        rule: [ruleVerdict(limit, limit.at), ruleVerdict(limit, limit.past)],
      }).toEqual({ database: ['accepted', 'refused'], rule: ['accepted', 'refused'] });
    },
  );
});
