import { AppError } from '@cvat-backup/common';
import type { Actor, ListQuery, Page } from '../repositories/common.types.js';
import {
  JOB_FILTERS,
  type JobPatch,
  type JobRecord,
  type JobRepository,
  type SegmentInput,
} from '../repositories/job.repository.js';
import { checkSegment } from '../validation/record-rules.js';
import { atomically, type Connections, type Queryable } from './db.js';
import { buildListSql, type ListSpec, queryPage } from './list-sql.js';
import { mapped } from './pg-errors.js';
import { storageJson, touchTask, userJson } from './sql-fragments.js';
import { taskVisible } from './visibility.js';

const FROM = `FROM jobs j
  JOIN segments s ON s.id = j.segment_id
  JOIN tasks t ON t.id = j.task_id
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN task_data d ON d.task_id = t.id
  LEFT JOIN users au ON au.id = j.assignee_id`;

const SELECT = `SELECT j.id, j.task_id, t.name AS task_name, t.project_id, p.name AS project_name,
    ${userJson('au')} AS assignee,
    coalesce((SELECT g.id FROM annotation_guides g WHERE g.task_id = t.id),
             (SELECT g.id FROM annotation_guides g WHERE g.project_id = t.project_id)) AS guide_id,
    t.dimension, t.mode, d.media_type, coalesce(nullif(p.bug_tracker, ''), t.bug_tracker) AS bug_tracker,
    j.status, j.stage, j.state,
    CASE WHEN s.frames IS NULL THEN s.stop_frame - s.start_frame + 1 ELSE cardinality(s.frames) END AS frame_count,
    s.start_frame, s.stop_frame, s.frames, s.id AS segment_id, s.type AS segment_type,
    d.chunk_size AS data_chunk_size,
    CASE WHEN s.type = 'specific_frames' THEN 'imageset' ELSE d.compressed_chunk_type END AS data_compressed_chunk_type,
    d.original_chunk_type AS data_original_chunk_type, j.created_date, j.updated_date, j.type,
    t.organization_id,
    (SELECT ${storageJson('ts')} FROM storages ts WHERE ts.id = t.target_storage_id) AS target_storage,
    (SELECT ${storageJson('ss')} FROM storages ss WHERE ss.id = t.source_storage_id) AS source_storage,
    j.assignee_updated_date, j.parent_job_id,
    (SELECT count(*)::int FROM jobs r WHERE r.parent_job_id = j.id) AS replicas_count
  ${FROM}`;

const LIST: ListSpec = {
  fields: {
    id: { sql: 'j.id', type: 'int' },
    task_id: { sql: 'j.task_id', type: 'int' },
    project_id: { sql: 't.project_id', type: 'int' },
    type: { sql: 'j.type', type: 'text' },
    stage: { sql: 'j.stage', type: 'text' },
    state: { sql: 'j.state', type: 'text' },
    assignee: { sql: 'au.username', type: 'text' },
    task_name: { sql: 't.name', type: 'text' },
    project_name: { sql: 'p.name', type: 'text' },
    dimension: { sql: 't.dimension', type: 'text' },
    parent_job_id: { sql: 'j.parent_job_id', type: 'int' },
    updated_date: { sql: 'j.updated_date', type: 'text' },
  },
  filters: JOB_FILTERS,
  search: ['task_name', 'project_name', 'assignee', 'state', 'stage'],
  defaultSort: '-id',
};

function deriveStatus(stage: string, state: string): string {
  if (stage === 'annotation') return 'annotation';
  return stage === 'acceptance' && state === 'completed' ? 'completed' : 'validation';
}

export class PgJobRepository implements JobRepository {
  constructor(private readonly conn: Connections) {}

  createSegments(taskId: number, segments: readonly SegmentInput[]): Promise<JobRecord[]> {
    return atomically(this.conn, async (client) => {
      const ids: number[] = [];
      for (const segment of segments) {
        const type = segment.type ?? (segment.frames ? 'specific_frames' : 'range');
        checkSegment(segment);
        const frames = segment.frames ? [...new Set(segment.frames)].sort((a, b) => a - b) : null;
        const { rows } = await mapped(
          client.query<{ id: number }>(
            'INSERT INTO segments (task_id, type, start_frame, stop_frame, frames) VALUES ($1, $2, $3, $4, $5) RETURNING id',
            [taskId, type, segment.start_frame, segment.stop_frame, frames],
          ),
        );
        const segmentId = rows[0]!.id;
        for (const job of segment.jobs ?? [{}]) {
          const stage = job.stage ?? 'annotation';
          const state = job.state ?? 'new';
          const { rows: created } = await mapped(
            client.query<{ id: number }>(
              `INSERT INTO jobs (segment_id, task_id, type, status, stage, state, assignee_id, assignee_updated_date)
               VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7::integer IS NULL THEN NULL ELSE now() END) RETURNING id`,
              [
                segmentId,
                taskId,
                job.type ?? 'annotation',
                job.status ?? deriveStatus(stage, state),
                stage,
                state,
                job.assignee_id ?? null,
              ],
            ),
          );
          ids.push(created[0]!.id);
        }
      }
      await touchTask(client, taskId);
      const { rows } = await client.query<JobRecord>(`${SELECT} WHERE j.id = ANY($1) ORDER BY j.id`, [ids]);
      return rows;
    });
  }

  async get(actor: Actor, id: number): Promise<JobRecord | null> {
    const { rows } = await this.conn.db.query<JobRecord>(
      `${SELECT} WHERE j.id = $3 AND ${taskVisible('t', '$1', '$2')}`,
      [actor.isAdmin, actor.id, id],
    );
    return rows[0] ?? null;
  }

  async list(actor: Actor, query: ListQuery = {}): Promise<Page<JobRecord>> {
    const sql = buildListSql(LIST, query, [actor.isAdmin, actor.id]);
    const where = `${taskVisible('t', '$1', '$2')} AND ${sql.where}`;
    return queryPage<JobRecord>(this.conn.db, { from: FROM, select: SELECT, where, sql });
  }

  async update(actor: Actor, id: number, patch: JobPatch): Promise<JobRecord | null> {
    const current = await this.get(actor, id);
    if (!current) return null;
    const stage = patch.stage ?? current.stage;
    const state =
      patch.state ?? (patch.stage !== undefined && patch.stage !== current.stage ? 'new' : current.state);
    return atomically(this.conn, async (client) => {
      const params: unknown[] = [id, stage, state, deriveStatus(stage, state)];
      let assignee = '';
      if (patch.assignee_id !== undefined) {
        params.push(patch.assignee_id);
        assignee = `, assignee_id = $${params.length}, assignee_updated_date = now()`;
      }
      await mapped(
        client.query(
          `UPDATE jobs SET stage = $2, state = $3, status = $4, updated_date = clock_timestamp()${assignee} WHERE id = $1`,
          params,
        ),
      );
      await touchTask(client, current.task_id);
      return selectOne(client, id);
    });
  }

  async delete(actor: Actor, id: number): Promise<boolean> {
    const job = await this.get(actor, id);
    if (!job) return false;
    if (job.type !== 'ground_truth')
      throw new AppError('CATALOG_INVALID_VALUE', {
        field: 'type',
        problem: 'only ground truth jobs can be removed',
      });
    await atomically(this.conn, async (client) => {
      await client.query('DELETE FROM segments WHERE id = $1', [job.segment_id]);
      await touchTask(client, job.task_id);
    });
    return true;
  }

  async forTask(taskId: number): Promise<JobRecord[]> {
    const { rows } = await this.conn.db.query<JobRecord>(
      `${SELECT} WHERE j.task_id = $1
       ORDER BY (SELECT min(f.id) FROM jobs f WHERE f.segment_id = j.segment_id), j.id`,
      [taskId],
    );
    return rows;
  }
}

async function selectOne(db: Queryable, id: number): Promise<JobRecord | null> {
  const { rows } = await db.query<JobRecord>(`${SELECT} WHERE j.id = $1`, [id]);
  return rows[0] ?? null;
}
