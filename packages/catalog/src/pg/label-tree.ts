import { AppError } from '@cvat-backup/common';
import type {
  AttributeInput,
  AttributeRecord,
  LabelInput,
  LabelRecord,
  LabelType,
  SublabelRecord,
} from '../repositories/label.repository.js';
import { deleteAttributeValues, type LabelOwnerIds } from './annotation-cleanup.js';
import type { Queryable } from './db.js';
import { mapped } from './pg-errors.js';

/** A row of `labels`. */
export interface LabelRow {
  id: number;
  project_id: number | null;
  task_id: number | null;
  parent_id: number | null;
  name: string;
  color: string;
  type: LabelType;
  svg: string | null;
}

/** A label input as new: ids and delete marks dropped (create ignores ids). */
export function stripIds(label: LabelInput): LabelInput {
  const { id: _id, deleted: _deleted, ...rest } = label;
  return {
    ...rest,
    attributes: (label.attributes ?? []).map(({ id: _a, deleted: _d, ...a }) => a),
    sublabels: (label.sublabels ?? []).map(stripIds),
  };
}

export const ownerIds = (column: 'project_id' | 'task_id', ownerId: number): LabelOwnerIds =>
  column === 'task_id' ? { taskId: ownerId, projectId: null } : { taskId: null, projectId: ownerId };

/** Creates, updates or (with `deleted`) removes one attribute of a label. */
export async function applyAttribute(
  db: Queryable,
  owner: LabelOwnerIds,
  labelId: number,
  input: AttributeInput,
): Promise<void> {
  if (input.id === undefined) {
    await mapped(
      db.query(
        `INSERT INTO label_attributes (label_id, name, mutable, input_type, default_value, "values")
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          labelId,
          input.name,
          input.mutable ?? false,
          input.input_type,
          input.default_value ?? '',
          input.values ?? [],
        ],
      ),
    );
    return;
  }
  if (input.deleted) await deleteAttributeValues(db, owner, input.id);
  const { rowCount } = await mapped(
    input.deleted
      ? db.query('DELETE FROM label_attributes WHERE id = $1 AND label_id = $2', [input.id, labelId])
      : db.query(
          `UPDATE label_attributes SET name = $3, default_value = coalesce($4, default_value),
             "values" = coalesce($5, "values") WHERE id = $1 AND label_id = $2`,
          [input.id, labelId, input.name, input.default_value ?? null, input.values ?? null],
        ),
  );
  if (!rowCount) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'attribute', id: input.id });
}

/** Loads sublabels and attributes of the given top-level rows in two queries and nests them. */
export async function assemble(db: Queryable, rows: readonly LabelRow[]): Promise<LabelRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const { rows: subs } = await db.query<LabelRow>(
    'SELECT * FROM labels WHERE parent_id = ANY($1) ORDER BY id',
    [ids],
  );
  const all = [...ids, ...subs.map((s) => s.id)];
  const { rows: attrs } = await db.query<AttributeRecord & { label_id: number }>(
    `SELECT id, label_id, name, mutable, input_type, default_value, "values"
     FROM label_attributes WHERE label_id = ANY($1) ORDER BY id`,
    [all],
  );
  const attributesOf = new Map<number, AttributeRecord[]>();
  for (const { label_id, ...a } of attrs) {
    const list = attributesOf.get(label_id) ?? [];
    list.push(a);
    attributesOf.set(label_id, list);
  }
  const subsOf = new Map<number, SublabelRecord[]>();
  for (const s of subs) {
    const list = subsOf.get(s.parent_id!) ?? [];
    list.push({
      id: s.id,
      name: s.name,
      color: s.color,
      attributes: attributesOf.get(s.id) ?? [],
      type: s.type,
      has_parent: true,
    });
    subsOf.set(s.parent_id!, list);
  }
  return rows.map((r) => {
    const label: LabelRecord = {
      id: r.id,
      name: r.name,
      color: r.color,
      attributes: attributesOf.get(r.id) ?? [],
      type: r.type,
      sublabels: subsOf.get(r.id) ?? [],
      parent_id: null,
      has_parent: false,
    };
    if (r.type === 'skeleton') label.svg = r.svg ?? '';
    if (r.project_id !== null) label.project_id = r.project_id;
    if (r.task_id !== null) label.task_id = r.task_id;
    return label;
  });
}
