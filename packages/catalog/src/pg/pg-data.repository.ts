import { AppError } from '@cvat-backup/common';
import type { Actor } from '../repositories/common.types.js';
import type {
  DataPatch,
  DataRecord,
  DataRepository,
  ImageRecord,
  NewData,
  VideoRecord,
} from '../repositories/data.repository.js';
import { checkDataFields, checkImageRow } from '../validation/record-rules.js';
import { copyRows } from './copy-writer.js';
import { readCursor } from './cursor-reader.js';
import { atomically, type Connections, type Queryable } from './db.js';
import { mapped } from './pg-errors.js';
import { touchTask } from './sql-fragments.js';
import { taskVisible } from './visibility.js';

const COLUMNS = `d.id, d.task_id, d.image_quality, d.chunk_size, d.size, d.start_frame, d.stop_frame, d.frame_filter,
  d.sorting_method, d.storage_method, d.storage, d.cloud_storage_id, d.compressed_chunk_type,
  d.original_chunk_type, d.media_type, d.media_prefix, d.deleted_frames,
  CASE WHEN d.validation_mode IS NULL THEN NULL ELSE json_build_object('mode', d.validation_mode,
    'frames', d.validation_frames, 'frames_per_job_count', d.validation_frames_per_job_count,
    'disabled_frames', d.validation_disabled_frames) END AS validation_layout,
  d.chunks_updated_date`;

const IMAGE_COLUMNS = 'frame, path, width, height, byte_size::float8 AS byte_size, related_files';
const READ_BATCH = 1000;

export class PgDataRepository implements DataRepository {
  constructor(private readonly conn: Connections) {}

  create(taskId: number, input: NewData): Promise<DataRecord> {
    return atomically(this.conn, async (client) => {
      checkDataFields(input);
      const { rows: locked } = await client.query<{ has_data: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM task_data WHERE task_id = t.id) AS has_data FROM tasks t WHERE t.id = $1 FOR UPDATE',
        [taskId],
      );
      if (!locked[0]) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'task', id: taskId });
      if (locked[0].has_data) throw new AppError('CATALOG_DATA_ALREADY_ATTACHED', { taskId });
      const v = input.validation_layout ?? null;
      const { rows } = await mapped(
        client.query<{ id: number }>(
          `INSERT INTO task_data (task_id, image_quality, chunk_size, size, start_frame, stop_frame, frame_filter,
             sorting_method, storage_method, storage, cloud_storage_id, compressed_chunk_type, original_chunk_type,
             media_type, media_prefix, deleted_frames, validation_mode, validation_frames, validation_disabled_frames,
             validation_frames_per_job_count)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id`,
          [
            taskId,
            input.image_quality,
            input.chunk_size ?? null,
            input.size ?? 0,
            input.start_frame ?? 0,
            input.stop_frame ?? Math.max((input.size ?? 1) - 1, input.start_frame ?? 0),
            input.frame_filter ?? '',
            input.sorting_method ?? 'lexicographical',
            input.storage_method ?? 'cache',
            input.storage ?? 'local',
            input.cloud_storage_id ?? null,
            input.compressed_chunk_type ?? (input.video ? 'video' : 'imageset'),
            input.original_chunk_type ?? (input.video ? 'video' : 'imageset'),
            input.media_type ?? (input.video ? 'video' : 'image'),
            input.media_prefix ?? '',
            input.deleted_frames ?? [],
            v?.mode ?? null,
            v?.frames ?? [],
            v?.disabled_frames ?? [],
            v?.frames_per_job_count ?? null,
          ],
        ),
      );
      const dataId = rows[0]!.id;
      let images = 0;
      if (input.images) {
        images = await copyRows(
          client,
          'media_images',
          ['data_id', 'frame', 'path', 'width', 'height', 'byte_size', 'related_files'],
          mapRows(input.images, (i) => {
            checkImageRow(i);
            return [dataId, i.frame, i.path, i.width, i.height, i.byte_size ?? null, i.related_files ?? []];
          }),
        );
      }
      if (input.video) {
        const { path, width, height, byte_size } = input.video;
        await mapped(
          client.query(
            'INSERT INTO media_videos (data_id, path, width, height, byte_size) VALUES ($1, $2, $3, $4, $5)',
            [dataId, path, width, height, byte_size],
          ),
        );
      }
      if (input.manifest) {
        let lineNo = 0;
        await copyRows(
          client,
          'media_manifest_lines',
          ['data_id', 'line_no', 'line'],
          mapRows(input.manifest, (line) => [dataId, lineNo++, line]),
        );
      }
      // The last frame kept, counted in the source's numbering (as CVAT does): with a step the
      // task's k frames end at start + (k − 1)·step, not at start + k − 1.
      if (input.size === undefined && images > 0)
        await client.query(
          'UPDATE task_data SET size = $2, stop_frame = start_frame + ($2 - 1) * $3 WHERE id = $1',
          [dataId, images, frameStep(input.frame_filter)],
        );
      await client.query(`UPDATE tasks SET mode = $2 WHERE id = $1 AND mode = ''`, [
        taskId,
        input.video ? 'interpolation' : 'annotation',
      ]);
      await touchTask(client, taskId);
      return (await selectByTask(client, taskId))!;
    });
  }

  async get(actor: Actor, taskId: number): Promise<DataRecord | null> {
    const { rows } = await this.conn.db.query<DataRecord>(
      `SELECT ${COLUMNS} FROM task_data d JOIN tasks t ON t.id = d.task_id
       WHERE d.task_id = $3 AND ${taskVisible('t', '$1', '$2')}`,
      [actor.isAdmin, actor.id, taskId],
    );
    return rows[0] ?? null;
  }

  getForTask(taskId: number): Promise<DataRecord | null> {
    return selectByTask(this.conn.db, taskId);
  }

  async update(actor: Actor, taskId: number, patch: DataPatch): Promise<DataRecord | null> {
    const current = await this.get(actor, taskId);
    if (!current) return null;
    return atomically(this.conn, async (client) => {
      if (patch.deleted_frames !== undefined) {
        const frames = patch.deleted_frames;
        if (
          new Set(frames).size !== frames.length ||
          frames.some((f) => !Number.isInteger(f) || f < 0 || f >= current.size)
        )
          throw new AppError('CATALOG_INVALID_VALUE', {
            field: 'deleted_frames',
            problem: `frames must be unique and within [0, ${current.size})`,
          });
        await client.query('UPDATE task_data SET deleted_frames = $2 WHERE id = $1', [
          current.id,
          [...frames].sort((a, b) => a - b),
        ]);
      }
      if (patch.cloud_storage_id !== undefined) {
        if (patch.cloud_storage_id !== null) {
          const { rows } = await client.query(
            'SELECT 1 FROM cloud_storages c WHERE c.id = $3 AND ($1::boolean OR c.owner_id = $2::integer)',
            [actor.isAdmin, actor.id, patch.cloud_storage_id],
          );
          if (!rows.length)
            throw new AppError('CATALOG_REFERENCE_NOT_FOUND', {
              entity: 'cloud storage',
              id: patch.cloud_storage_id,
            });
        }
        if (current.storage !== 'cloud_storage')
          throw new AppError('CATALOG_INVALID_VALUE', {
            field: 'cloud_storage_id',
            problem: `the data of task ${taskId} is in ${current.storage} storage, not in a cloud storage`,
          });
        await client.query(
          'UPDATE task_data SET cloud_storage_id = $2, chunks_updated_date = now() WHERE id = $1',
          [current.id, patch.cloud_storage_id],
        );
      }
      await touchTask(client, taskId);
      return selectByTask(client, taskId);
    });
  }

  images(dataId: number, range: { from?: number; to?: number } = {}): AsyncIterable<ImageRecord> {
    return readCursor<ImageRecord>(
      this.conn,
      `SELECT ${IMAGE_COLUMNS} FROM media_images WHERE data_id = $1 AND frame BETWEEN $2 AND $3 ORDER BY frame`,
      [dataId, range.from ?? 0, range.to ?? 2 ** 31 - 1],
      READ_BATCH,
    );
  }

  async image(dataId: number, frame: number): Promise<ImageRecord | null> {
    const { rows } = await this.conn.db.query<ImageRecord>(
      `SELECT ${IMAGE_COLUMNS} FROM media_images WHERE data_id = $1 AND frame = $2`,
      [dataId, frame],
    );
    return rows[0] ?? null;
  }

  async video(dataId: number): Promise<VideoRecord | null> {
    const { rows } = await this.conn.db.query<VideoRecord>(
      'SELECT path, width, height, byte_size::float8 AS byte_size FROM media_videos WHERE data_id = $1',
      [dataId],
    );
    return rows[0] ?? null;
  }

  async *manifestLines(dataId: number): AsyncIterable<string> {
    for await (const row of readCursor<{ line: string }>(
      this.conn,
      'SELECT line FROM media_manifest_lines WHERE data_id = $1 ORDER BY line_no',
      [dataId],
      READ_BATCH,
    ))
      yield row.line;
  }

  async *localMediaPrefixes(): AsyncIterable<string> {
    for await (const row of readCursor<{ media_prefix: string }>(
      this.conn,
      "SELECT DISTINCT media_prefix FROM task_data WHERE storage = 'local'",
      [],
      READ_BATCH,
    ))
      yield row.media_prefix;
  }

  async localMediaInUse(prefix: string): Promise<boolean> {
    // left() compares prefixes literally: a LIKE pattern would read `_` and `%` in keys as wildcards.
    const { rows } = await this.conn.db.query<{ used: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM task_data WHERE storage = 'local' AND media_prefix <> ''
         AND (left(media_prefix, length($1)) = $1 OR left($1, length(media_prefix)) = media_prefix)) AS used`,
      [prefix],
    );
    return rows[0]!.used;
  }
}

async function selectByTask(db: Queryable, taskId: number): Promise<DataRecord | null> {
  const { rows } = await db.query<DataRecord>(`SELECT ${COLUMNS} FROM task_data d WHERE d.task_id = $1`, [
    taskId,
  ]);
  return rows[0] ?? null;
}

async function* mapRows<T, R>(source: Iterable<T> | AsyncIterable<T>, fn: (item: T) => R): AsyncIterable<R> {
  for await (const item of source) yield fn(item);
}

/** The step of a `step=N` frame filter (CVAT's only kind), 1 without one. */
function frameStep(filter: string | undefined): number {
  return Number(/step\s*=\s*([1-9]\d*)/.exec(filter ?? '')?.[1] ?? 1);
}
