import { AppError } from '@cvat-backup/common';
import type pg from 'pg';
import type {
  AnnotationIds,
  AnnotationItem,
  AnnotationRepository,
  JobAnnotations,
  WriteCounts,
} from '../repositories/annotation.repository.js';
import { jobAnnotations } from './annotation-reader.js';
import { loadJobContext } from './annotation-validator.js';
import { writeAnnotations } from './annotation-writer.js';
import { atomically, type Connections } from './db.js';
import { touchTask } from './sql-fragments.js';
import { taskAnnotationJobs, taskAnnotations, writeTaskAnnotations } from './task-annotations.js';

type Items = Iterable<AnnotationItem> | AsyncIterable<AnnotationItem>;

export interface AnnotationTuning {
  /** Rows per COPY batch on write. */
  batchRows?: number;
  /** Rows per cursor fetch on read. */
  readBatch?: number;
}

const TABLES = { tags: 'annotation_tags', shapes: 'annotation_shapes', tracks: 'annotation_tracks' } as const;

export class PgAnnotationRepository implements AnnotationRepository {
  constructor(
    private readonly conn: Connections,
    private readonly tuning: AnnotationTuning = {},
  ) {}

  append(jobId: number, items: Items): Promise<WriteCounts> {
    return this.write(jobId, async (client) => this.writeItems(client, jobId, items, false));
  }

  replace(jobId: number, items: Items): Promise<WriteCounts> {
    return this.write(jobId, async (client) => {
      await clearJob(client, jobId);
      return this.writeItems(client, jobId, items, false);
    });
  }

  update(jobId: number, items: Items): Promise<WriteCounts> {
    return this.write(jobId, async (client) => {
      const checked = existing(client, jobId, items);
      return this.writeItems(client, jobId, checked, true);
    });
  }

  delete(jobId: number, ids: AnnotationIds): Promise<WriteCounts> {
    return this.write(jobId, async (client) => {
      const counts: WriteCounts = { tags: 0, shapes: 0, tracks: 0 };
      for (const key of ['tags', 'shapes', 'tracks'] as const) {
        const list = ids[key] ?? [];
        if (!list.length) continue;
        const parent = key === 'tags' ? '' : ' AND parent_id IS NULL';
        const { rowCount } = await client.query(
          `DELETE FROM ${TABLES[key]} WHERE job_id = $1 AND id = ANY($2)${parent}`,
          [jobId, list],
        );
        counts[key] = rowCount ?? 0;
      }
      return counts;
    });
  }

  async clear(jobId: number): Promise<void> {
    await this.write(jobId, (client) => clearJob(client, jobId));
  }

  read(jobId: number): JobAnnotations {
    return jobAnnotations(this.conn, jobId, this.tuning.readBatch);
  }

  readTask(taskId: number): JobAnnotations {
    return taskAnnotations(this.conn, taskId, this.tuning.readBatch);
  }

  replaceTask(taskId: number, items: Items): Promise<WriteCounts> {
    return atomically(this.conn, async (client) => {
      const { rows } = await client.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [taskId]);
      if (!rows.length) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'task', id: taskId });
      const jobIds = await taskAnnotationJobs(client, taskId);
      await client.query('UPDATE jobs SET updated_date = clock_timestamp() WHERE id = ANY($1)', [jobIds]);
      for (const jobId of jobIds) await clearJob(client, jobId);
      const counts = await writeTaskAnnotations(client, taskId, jobIds, items, this.tuning.batchRows);
      await touchTask(client, taskId);
      return counts;
    });
  }

  async count(jobId: number): Promise<WriteCounts> {
    const { rows } = await this.conn.db.query<WriteCounts>(
      `SELECT (SELECT count(*)::int FROM annotation_tags WHERE job_id = $1) AS tags,
              (SELECT count(*)::int FROM annotation_shapes WHERE job_id = $1 AND parent_id IS NULL) AS shapes,
              (SELECT count(*)::int FROM annotation_tracks WHERE job_id = $1 AND parent_id IS NULL) AS tracks`,
      [jobId],
    );
    return rows[0]!;
  }

  private async writeItems(client: pg.PoolClient, jobId: number, items: Items, keepIds: boolean) {
    const ctx = await loadJobContext(client, jobId);
    const options =
      this.tuning.batchRows === undefined ? { keepIds } : { keepIds, batchRows: this.tuning.batchRows };
    return writeAnnotations(client, ctx, items, options);
  }

  /** Runs a write atomically, locking the job row (writers of one job queue up) and touching it. */
  private write<T>(jobId: number, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return atomically(this.conn, async (client) => {
      const { rows } = await client.query<{ task_id: number }>(
        'UPDATE jobs SET updated_date = clock_timestamp() WHERE id = $1 RETURNING task_id',
        [jobId],
      );
      if (!rows[0]) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'job', id: jobId });
      const result = await fn(client);
      await touchTask(client, rows[0].task_id);
      return result;
    });
  }
}

async function clearJob(client: pg.PoolClient, jobId: number): Promise<void> {
  await client.query('DELETE FROM annotation_tags WHERE job_id = $1', [jobId]);
  await client.query('DELETE FROM annotation_shapes WHERE job_id = $1', [jobId]);
  await client.query('DELETE FROM annotation_tracks WHERE job_id = $1', [jobId]);
}

/**
 * For PATCH update: every object must exist in the job; its old row (with elements / tracked shapes)
 * is deleted so the new version can be written under the same id.
 */
async function* existing(client: pg.PoolClient, jobId: number, items: Items): AsyncIterable<AnnotationItem> {
  let index = 0;
  for await (const item of items) {
    const id = item.value.id;
    const table = item.kind === 'tag' ? TABLES.tags : item.kind === 'shape' ? TABLES.shapes : TABLES.tracks;
    if (id == null)
      throw new AppError('CATALOG_ANNOTATION_INVALID', {
        kind: item.kind,
        index,
        jobId,
        problem: 'id must be present and not null',
      });
    const { rowCount } = await client.query(`DELETE FROM ${table} WHERE job_id = $1 AND id = $2`, [
      jobId,
      id,
    ]);
    if (!rowCount) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: item.kind, id });
    index++;
    yield item;
  }
}
