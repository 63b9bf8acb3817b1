import { AppError } from '@cvat-backup/common';
import type { Actor, ListQuery, Page } from '../repositories/common.types.js';
import type { LabelRepository } from '../repositories/label.repository.js';
import {
  type NewTask,
  TASK_FILTERS,
  type TaskPatch,
  type TaskRecord,
  type TaskRepository,
} from '../repositories/task.repository.js';
import { checkResourceFields } from '../validation/record-rules.js';
import { atomically, type Connections, clientConnections, type Queryable } from './db.js';
import { buildListSql, type ListSpec, queryPage } from './list-sql.js';
import { mapped } from './pg-errors.js';
import { insertStorageSetting, setClause, storageJson, touchTask, userJson } from './sql-fragments.js';
import { projectVisible, taskVisible } from './visibility.js';

const FROM = `FROM tasks t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN task_data d ON d.task_id = t.id
  LEFT JOIN users ou ON ou.id = t.owner_id
  LEFT JOIN users au ON au.id = t.assignee_id`;

const SELECT = `SELECT t.id, t.name, t.project_id, p.name AS project_name,
    ${userJson('ou')} AS owner, ${userJson('au')} AS assignee, t.bug_tracker, t.created_date, t.updated_date,
    t.overlap, t.segment_size, t.status, d.id AS data, d.chunk_size AS data_chunk_size,
    d.original_chunk_type AS data_original_chunk_type, d.compressed_chunk_type AS data_compressed_chunk_type,
    d.cloud_storage_id AS data_cloud_storage_id, d.storage AS data_storage,
    (SELECT g.id FROM annotation_guides g WHERE g.task_id = t.id) AS guide_id,
    d.size, d.image_quality, t.dimension, t.mode, d.media_type, t.subset, t.organization_id,
    (SELECT ${storageJson('ts')} FROM storages ts WHERE ts.id = t.target_storage_id) AS target_storage,
    (SELECT ${storageJson('ss')} FROM storages ss WHERE ss.id = t.source_storage_id) AS source_storage,
    (SELECT json_build_object('count', count(*), 'completed', count(*) FILTER (WHERE j.status = 'completed'),
       'validation', count(*) FILTER (WHERE j.status = 'validation'))
     FROM jobs j WHERE j.task_id = t.id) AS jobs,
    t.assignee_updated_date, d.validation_mode, t.consensus_replicas, t.import_request_id
  ${FROM}`;

const LIST: ListSpec = {
  fields: {
    id: { sql: 't.id', type: 'int' },
    name: { sql: 't.name', type: 'text' },
    owner: { sql: 'ou.username', type: 'text' },
    assignee: { sql: 'au.username', type: 'text' },
    status: { sql: 't.status', type: 'text' },
    subset: { sql: 't.subset', type: 'text' },
    mode: { sql: 't.mode', type: 'text' },
    dimension: { sql: 't.dimension', type: 'text' },
    project_id: { sql: 't.project_id', type: 'int' },
    project_name: { sql: 'p.name', type: 'text' },
    tracker_link: { sql: 't.bug_tracker', type: 'text' },
    validation_mode: { sql: 'd.validation_mode', type: 'text' },
    updated_date: { sql: 't.updated_date', type: 'text' },
  },
  filters: TASK_FILTERS,
  search: [
    'name',
    'owner',
    'assignee',
    'status',
    'subset',
    'mode',
    'dimension',
    'project_name',
    'tracker_link',
  ],
  defaultSort: '-id',
};

export class PgTaskRepository implements TaskRepository {
  constructor(
    private readonly conn: Connections,
    private readonly labels: (conn: Connections) => LabelRepository,
  ) {}

  async create(actor: Actor, input: NewTask): Promise<TaskRecord> {
    if (input.project_id != null && input.labels?.length)
      throw new AppError('CATALOG_INVALID_VALUE', {
        field: 'labels',
        problem: 'a task must have only one of a label set or project_id',
      });
    checkResourceFields(input);
    return atomically(this.conn, async (client) => {
      if (input.project_id != null) await assertProjectVisible(client, actor, input.project_id);
      const target = await insertStorageSetting(client, input.target_storage);
      const source = await insertStorageSetting(client, input.source_storage);
      const { rows } = await mapped(
        client.query<{ id: number }>(
          `INSERT INTO tasks (name, project_id, owner_id, assignee_id, assignee_updated_date, bug_tracker, overlap,
             segment_size, subset, status, mode, dimension, consensus_replicas, target_storage_id, source_storage_id,
             import_request_id)
           VALUES ($1, $2, $3, $4, CASE WHEN $4::integer IS NULL THEN NULL ELSE now() END, $5, $6, $7, $8, $9, $10,
             $11, $12, $13, $14, $15)
           RETURNING id`,
          [
            input.name,
            input.project_id ?? null,
            input.owner_id === undefined ? actor.id : input.owner_id,
            input.assignee_id ?? null,
            input.bug_tracker ?? '',
            input.overlap ?? null,
            input.segment_size ?? 0,
            input.subset ?? '',
            input.status ?? 'annotation',
            input.mode ?? '',
            input.dimension ?? '2d',
            input.consensus_replicas ?? 0,
            target,
            source,
            input.import_request_id ?? null,
          ],
        ),
      );
      const id = rows[0]!.id;
      if (input.labels?.length)
        await this.labels(clientConnections(client)).create({ taskId: id }, input.labels);
      await touchTask(client, id);
      return (await selectOne(client, id))!;
    });
  }

  async get(actor: Actor, id: number): Promise<TaskRecord | null> {
    const { rows } = await this.conn.db.query<TaskRecord>(
      `${SELECT} WHERE t.id = $3 AND ${taskVisible('t', '$1', '$2')}`,
      [actor.isAdmin, actor.id, id],
    );
    return rows[0] ?? null;
  }

  async list(actor: Actor, query: ListQuery = {}): Promise<Page<TaskRecord>> {
    const sql = buildListSql(LIST, query, [actor.isAdmin, actor.id]);
    const where = `${taskVisible('t', '$1', '$2')} AND ${sql.where}`;
    return queryPage<TaskRecord>(this.conn.db, { from: FROM, select: SELECT, where, sql });
  }

  async update(actor: Actor, id: number, patch: TaskPatch): Promise<TaskRecord | null> {
    const current = await this.get(actor, id);
    if (!current) return null;
    return atomically(this.conn, async (client) => {
      if (patch.project_id != null && patch.project_id !== current.project_id)
        await assertProjectVisible(client, actor, patch.project_id);
      const params: unknown[] = [id];
      const sets = setClause(
        patch,
        ['name', 'project_id', 'owner_id', 'bug_tracker', 'subset', 'status', 'mode'],
        params,
      );
      if (patch.assignee_id !== undefined) {
        params.push(patch.assignee_id);
        sets.push(`assignee_id = $${params.length}`, 'assignee_updated_date = now()');
      }
      if (patch.target_storage !== undefined) {
        params.push(await insertStorageSetting(client, patch.target_storage));
        sets.push(`target_storage_id = $${params.length}`);
      }
      if (patch.source_storage !== undefined) {
        params.push(await insertStorageSetting(client, patch.source_storage));
        sets.push(`source_storage_id = $${params.length}`);
      }
      if (sets.length)
        await mapped(client.query(`UPDATE tasks SET ${sets.join(', ')} WHERE id = $1`, params));
      const projectId = patch.project_id === undefined ? current.project_id : patch.project_id;
      // CVAT ignores task labels of a task in a project.
      if (patch.labels?.length && projectId === null)
        await this.labels(clientConnections(client)).apply({ taskId: id }, patch.labels);
      await touchTask(client, id);
      return selectOne(client, id);
    });
  }

  async delete(actor: Actor, id: number): Promise<boolean> {
    return atomically(this.conn, async (client) => {
      const { rows } = await client.query<{ project_id: number | null }>(
        `DELETE FROM tasks t WHERE t.id = $3 AND ${taskVisible('t', '$1', '$2')} RETURNING t.project_id`,
        [actor.isAdmin, actor.id, id],
      );
      const deleted = rows[0];
      if (deleted?.project_id != null)
        await client.query('UPDATE projects SET updated_date = clock_timestamp() WHERE id = $1', [
          deleted.project_id,
        ]);
      return deleted !== undefined;
    });
  }

  async findByImportRequestId(importRequestId: string): Promise<TaskRecord | null> {
    const { rows } = await this.conn.db.query<TaskRecord>(`${SELECT} WHERE t.import_request_id = $1`, [
      importRequestId,
    ]);
    return rows[0] ?? null;
  }

  async touch(id: number): Promise<void> {
    await touchTask(this.conn.db, id);
  }
}

async function assertProjectVisible(db: Queryable, actor: Actor, projectId: number): Promise<void> {
  const { rows } = await db.query(
    `SELECT 1 FROM projects p WHERE p.id = $3 AND ${projectVisible('p', '$1', '$2')}`,
    [actor.isAdmin, actor.id, projectId],
  );
  if (!rows.length) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'project', id: projectId });
}

async function selectOne(db: Queryable, id: number): Promise<TaskRecord | null> {
  const { rows } = await db.query<TaskRecord>(`${SELECT} WHERE t.id = $1`, [id]);
  return rows[0] ?? null;
}
