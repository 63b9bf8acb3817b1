import { AppError } from '@cvat-backup/common';
import type { Actor, ListQuery, Page } from '../repositories/common.types.js';
import {
  LABEL_FILTERS,
  type LabelInput,
  type LabelOwner,
  type LabelRecord,
  type LabelRepository,
  type LabelScope,
} from '../repositories/label.repository.js';
import { checkLabelFields, svgWithSublabelIds } from '../validation/label-rules.js';
import { deleteAnnotationsOfLabel } from './annotation-cleanup.js';
import { atomically, type Connections, type Queryable } from './db.js';
import { applyAttribute, assemble, type LabelRow, ownerIds, stripIds } from './label-tree.js';
import { buildListSql, type ListSpec, queryPage } from './list-sql.js';
import { mapped } from './pg-errors.js';
import { touchProject, touchTask } from './sql-fragments.js';
import { projectVisible, taskVisible } from './visibility.js';

/** Colours given to labels created without one (CVAT picks from a similar palette). */
const PALETTE = ['#fa3253', '#33ddff', '#ff6037', '#34d1b7', '#b83df5', '#ddff33', '#3d3df5', '#f59331'];

const LIST: ListSpec = {
  fields: {
    id: { sql: 'l.id', type: 'int' },
    name: { sql: 'l.name', type: 'text' },
    type: { sql: 'l.type', type: 'text' },
    color: { sql: 'l.color', type: 'text' },
    parent_id: { sql: 'l.parent_id', type: 'int' },
  },
  filters: LABEL_FILTERS,
  search: ['name'],
  defaultSort: 'id',
};

const ownerColumn = (owner: LabelOwner): ['project_id' | 'task_id', number] =>
  'projectId' in owner ? ['project_id', owner.projectId] : ['task_id', owner.taskId];

export class PgLabelRepository implements LabelRepository {
  constructor(private readonly conn: Connections) {}

  create(owner: LabelOwner, labels: readonly LabelInput[]): Promise<LabelRecord[]> {
    return this.apply(
      owner,
      labels.map((l) => stripIds(l)),
    );
  }

  apply(owner: LabelOwner, labels: readonly LabelInput[]): Promise<LabelRecord[]> {
    return atomically(this.conn, async (client) => {
      const [column, ownerId] = ownerColumn(owner);
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM labels WHERE ${column} = $1`,
        [ownerId],
      );
      let colorIndex = rows[0]!.n;
      const nextColor = () => PALETTE[colorIndex++ % PALETTE.length]!;
      for (const label of labels) await this.applyOne(client, column, ownerId, null, label, nextColor);
      if (column === 'project_id') await touchProject(client, ownerId);
      else await touchTask(client, ownerId);
      return this.treeOn(client, column, ownerId);
    });
  }

  private async applyOne(
    db: Queryable,
    column: 'project_id' | 'task_id',
    ownerId: number,
    parentId: number | null,
    input: LabelInput,
    nextColor: () => string,
  ): Promise<void> {
    checkLabelFields(input);
    let id: number;
    if (input.id !== undefined) {
      const { rows } = await db.query<LabelRow>(
        `SELECT * FROM labels WHERE id = $1 AND ${column} = $2 AND parent_id IS NOT DISTINCT FROM $3`,
        [input.id, ownerId, parentId],
      );
      const existing = rows[0];
      if (!existing) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'label', id: input.id });
      if (input.deleted) {
        await deleteAnnotationsOfLabel(db, ownerIds(column, ownerId), input.id);
        await db.query('DELETE FROM labels WHERE id = $1', [input.id]);
        return;
      }
      if (input.type !== undefined && (input.type === 'skeleton') !== (existing.type === 'skeleton'))
        throw new AppError('CATALOG_INVALID_VALUE', {
          field: 'labels.type',
          problem: 'a label cannot become or stop being a skeleton',
        });
      await mapped(
        db.query(
          'UPDATE labels SET name = $2, color = coalesce($3, color), type = coalesce($4, type) WHERE id = $1',
          [input.id, input.name, input.color || null, input.type ?? null],
        ),
      );
      id = input.id;
    } else {
      if (input.deleted)
        throw new AppError('CATALOG_INVALID_VALUE', {
          field: 'labels.deleted',
          problem: 'deleting a label needs its id',
        });
      const { rows } = await mapped(
        db.query<{ id: number }>(
          `INSERT INTO labels (${column}, parent_id, name, color, type) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [ownerId, parentId, input.name, input.color || nextColor(), input.type ?? 'any'],
        ),
      );
      id = rows[0]!.id;
    }
    for (const attribute of input.attributes ?? [])
      await applyAttribute(db, ownerIds(column, ownerId), id, attribute);
    if (parentId !== null) return;
    for (const sub of input.sublabels ?? []) await this.applyOne(db, column, ownerId, id, sub, nextColor);
    if (input.svg !== undefined) {
      const { rows: subs } = await db.query<{ id: number; name: string }>(
        'SELECT id, name FROM labels WHERE parent_id = $1',
        [id],
      );
      const byName = new Map(subs.map((s) => [s.name, s.id]));
      const svg = svgWithSublabelIds(input.svg, byName);
      await db.query('UPDATE labels SET svg = $2 WHERE id = $1', [id, svg]);
    }
  }

  tree(owner: LabelOwner): Promise<LabelRecord[]> {
    const [column, ownerId] = ownerColumn(owner);
    return this.treeOn(this.conn.db, column, ownerId);
  }

  async treeOfTask(taskId: number): Promise<LabelRecord[]> {
    const { rows } = await this.conn.db.query<{ project_id: number | null }>(
      'SELECT project_id FROM tasks WHERE id = $1',
      [taskId],
    );
    const task = rows[0];
    if (!task) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'task', id: taskId });
    return task.project_id === null
      ? this.treeOn(this.conn.db, 'task_id', taskId)
      : this.treeOn(this.conn.db, 'project_id', task.project_id);
  }

  private async treeOn(
    db: Queryable,
    column: 'project_id' | 'task_id',
    ownerId: number,
  ): Promise<LabelRecord[]> {
    const { rows } = await db.query<LabelRow>(
      `SELECT * FROM labels WHERE ${column} = $1 AND parent_id IS NULL ORDER BY id`,
      [ownerId],
    );
    return assemble(db, rows);
  }

  async list(actor: Actor, scope: LabelScope, query: ListQuery = {}): Promise<Page<LabelRecord> | null> {
    const given = [scope.project_id, scope.task_id, scope.job_id].filter((v) => v !== undefined);
    if (given.length > 1)
      throw new AppError('CATALOG_INVALID_LIST_QUERY', {
        problem: 'job_id, task_id and project_id parameters cannot be used together',
      });
    const db = this.conn.db;
    let ownerWhere: string;
    let base: unknown[];
    if (given.length === 1) {
      // The scope's visibility was checked by scopeOwner; the list needs only the owner id.
      const owner = await this.scopeOwner(actor, scope);
      if (!owner) return null;
      base = [owner[1]];
      ownerWhere = `l.${owner[0]} = $1`;
    } else {
      base = [actor.isAdmin, actor.id];
      ownerWhere = `(EXISTS (SELECT 1 FROM projects p WHERE p.id = l.project_id AND ${projectVisible('p', '$1', '$2')})
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = l.task_id AND ${taskVisible('t', '$1', '$2')}))`;
    }
    const sql = buildListSql(LIST, query, base);
    const where = `l.parent_id IS NULL AND ${ownerWhere} AND ${sql.where}`;
    const page = await queryPage<LabelRow>(db, {
      from: 'FROM labels l',
      select: 'SELECT l.* FROM labels l',
      where,
      sql,
    });
    return { count: page.count, results: await assemble(db, page.results) };
  }

  private async scopeOwner(
    actor: Actor,
    scope: LabelScope,
  ): Promise<['project_id' | 'task_id', number] | null> {
    const db = this.conn.db;
    if (scope.project_id !== undefined) {
      const { rows } = await db.query(
        `SELECT 1 FROM projects p WHERE p.id = $3 AND ${projectVisible('p', '$1', '$2')}`,
        [actor.isAdmin, actor.id, scope.project_id],
      );
      return rows.length ? ['project_id', scope.project_id] : null;
    }
    const { rows } = await db.query<{ id: number; project_id: number | null }>(
      scope.task_id !== undefined
        ? `SELECT t.id, t.project_id FROM tasks t WHERE t.id = $3 AND ${taskVisible('t', '$1', '$2')}`
        : `SELECT t.id, t.project_id FROM jobs j JOIN tasks t ON t.id = j.task_id WHERE j.id = $3 AND ${taskVisible('t', '$1', '$2')}`,
      [actor.isAdmin, actor.id, scope.task_id ?? scope.job_id],
    );
    const task = rows[0];
    if (!task) return null;
    return task.project_id === null ? ['task_id', task.id] : ['project_id', task.project_id];
  }

  async get(actor: Actor, id: number): Promise<LabelRecord | null> {
    const db = this.conn.db;
    const { rows } = await db.query<LabelRow>(
      `SELECT l.* FROM labels l WHERE l.id = $3 AND l.parent_id IS NULL AND (
         EXISTS (SELECT 1 FROM projects p WHERE p.id = l.project_id AND ${projectVisible('p', '$1', '$2')})
         OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = l.task_id AND ${taskVisible('t', '$1', '$2')}))`,
      [actor.isAdmin, actor.id, id],
    );
    return (await assemble(db, rows))[0] ?? null;
  }

  async update(
    actor: Actor,
    id: number,
    input: Omit<LabelInput, 'id' | 'deleted'>,
  ): Promise<LabelRecord | null> {
    const label = await this.get(actor, id);
    if (!label) return null;
    const owner: LabelOwner =
      label.project_id !== undefined ? { projectId: label.project_id } : { taskId: label.task_id! };
    const labels = await this.apply(owner, [{ ...input, id }]);
    return labels.find((l) => l.id === id) ?? null;
  }

  async delete(actor: Actor, id: number): Promise<boolean> {
    const label = await this.get(actor, id);
    if (!label) return false;
    await atomically(this.conn, async (client) => {
      await deleteAnnotationsOfLabel(
        client,
        { taskId: label.task_id ?? null, projectId: label.project_id ?? null },
        id,
      );
      await client.query('DELETE FROM labels WHERE id = $1', [id]);
      if (label.project_id !== undefined) await touchProject(client, label.project_id);
      if (label.task_id !== undefined) await touchTask(client, label.task_id);
    });
    return true;
  }
}
