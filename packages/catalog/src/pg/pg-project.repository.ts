import type { Actor, ListQuery, Page } from '../repositories/common.types.js';
import type { LabelRepository } from '../repositories/label.repository.js';
import {
  type NewProject,
  PROJECT_FILTERS,
  type ProjectPatch,
  type ProjectRecord,
  type ProjectRepository,
} from '../repositories/project.repository.js';
import { checkResourceFields } from '../validation/record-rules.js';
import { atomically, type Connections, clientConnections, type Queryable } from './db.js';
import { buildListSql, type ListSpec, queryPage } from './list-sql.js';
import { mapped } from './pg-errors.js';
import { insertStorageSetting, setClause, storageJson, touchProject, userJson } from './sql-fragments.js';
import { projectVisible } from './visibility.js';

const SELECT = `SELECT p.id, p.name, ${userJson('ou')} AS owner, ${userJson('au')} AS assignee,
    (SELECT g.id FROM annotation_guides g WHERE g.project_id = p.id) AS guide_id,
    p.bug_tracker,
    ARRAY(SELECT DISTINCT t.subset FROM tasks t WHERE t.project_id = p.id AND t.subset <> '' ORDER BY 1) AS task_subsets,
    p.created_date, p.updated_date, p.status,
    (SELECT t.dimension FROM tasks t JOIN task_data d ON d.task_id = t.id WHERE t.project_id = p.id
      ORDER BY t.id LIMIT 1) AS dimension,
    p.organization_id, ${storageJson('ts')} AS target_storage, ${storageJson('ss')} AS source_storage,
    (SELECT count(*)::int FROM tasks t WHERE t.project_id = p.id) AS tasks_count,
    p.assignee_updated_date, p.import_request_id
  FROM projects p
  LEFT JOIN users ou ON ou.id = p.owner_id
  LEFT JOIN users au ON au.id = p.assignee_id
  LEFT JOIN storages ts ON ts.id = p.target_storage_id
  LEFT JOIN storages ss ON ss.id = p.source_storage_id`;

const LIST: ListSpec = {
  fields: {
    id: { sql: 'p.id', type: 'int' },
    name: { sql: 'p.name', type: 'text' },
    owner: { sql: 'ou.username', type: 'text' },
    assignee: { sql: 'au.username', type: 'text' },
    status: { sql: 'p.status', type: 'text' },
    updated_date: { sql: 'p.updated_date', type: 'text' },
  },
  filters: PROJECT_FILTERS,
  search: ['name', 'owner', 'assignee', 'status'],
  defaultSort: '-id',
};

export class PgProjectRepository implements ProjectRepository {
  constructor(
    private readonly conn: Connections,
    private readonly labels: (conn: Connections) => LabelRepository,
  ) {}

  create(actor: Actor, input: NewProject): Promise<ProjectRecord> {
    return atomically(this.conn, async (client) => {
      checkResourceFields(input);
      const target = await insertStorageSetting(client, input.target_storage);
      const source = await insertStorageSetting(client, input.source_storage);
      const { rows } = await mapped(
        client.query<{ id: number }>(
          `INSERT INTO projects (name, owner_id, assignee_id, assignee_updated_date, bug_tracker, status,
             target_storage_id, source_storage_id, import_request_id)
           VALUES ($1, $2, $3, CASE WHEN $3::integer IS NULL THEN NULL ELSE now() END, $4, $5, $6, $7, $8) RETURNING id`,
          [
            input.name,
            input.owner_id === undefined ? actor.id : input.owner_id,
            input.assignee_id ?? null,
            input.bug_tracker ?? '',
            input.status ?? 'annotation',
            target,
            source,
            input.import_request_id ?? null,
          ],
        ),
      );
      const id = rows[0]!.id;
      if (input.labels?.length)
        await this.labels(clientConnections(client)).create({ projectId: id }, input.labels);
      return (await selectOne(client, id))!;
    });
  }

  async get(actor: Actor, id: number): Promise<ProjectRecord | null> {
    const { rows } = await this.conn.db.query<ProjectRecord>(
      `${SELECT} WHERE p.id = $3 AND ${projectVisible('p', '$1', '$2')}`,
      [actor.isAdmin, actor.id, id],
    );
    return rows[0] ?? null;
  }

  async list(actor: Actor, query: ListQuery = {}): Promise<Page<ProjectRecord>> {
    const sql = buildListSql(LIST, query, [actor.isAdmin, actor.id]);
    const where = `${projectVisible('p', '$1', '$2')} AND ${sql.where}`;
    return queryPage<ProjectRecord>(this.conn.db, {
      from: `FROM projects p LEFT JOIN users ou ON ou.id = p.owner_id
         LEFT JOIN users au ON au.id = p.assignee_id`,
      select: SELECT,
      where,
      sql,
    });
  }

  async update(actor: Actor, id: number, patch: ProjectPatch): Promise<ProjectRecord | null> {
    if (!(await this.get(actor, id))) return null;
    return atomically(this.conn, async (client) => {
      const params: unknown[] = [id];
      const sets = setClause(patch, ['name', 'owner_id', 'bug_tracker', 'status'], params);
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
        await mapped(client.query(`UPDATE projects SET ${sets.join(', ')} WHERE id = $1`, params));
      if (patch.labels?.length)
        await this.labels(clientConnections(client)).apply({ projectId: id }, patch.labels);
      await touchProject(client, id);
      return selectOne(client, id);
    });
  }

  async delete(actor: Actor, id: number): Promise<boolean> {
    const { rowCount } = await this.conn.db.query(
      `DELETE FROM projects p WHERE p.id = $3 AND ${projectVisible('p', '$1', '$2')}`,
      [actor.isAdmin, actor.id, id],
    );
    return (rowCount ?? 0) > 0;
  }

  async findByImportRequestId(importRequestId: string): Promise<ProjectRecord | null> {
    const { rows } = await this.conn.db.query<ProjectRecord>(`${SELECT} WHERE p.import_request_id = $1`, [
      importRequestId,
    ]);
    return rows[0] ?? null;
  }
}

async function selectOne(db: Queryable, id: number): Promise<ProjectRecord | null> {
  const { rows } = await db.query<ProjectRecord>(`${SELECT} WHERE p.id = $1`, [id]);
  return rows[0] ?? null;
}
