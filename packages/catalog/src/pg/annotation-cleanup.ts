import type { Queryable } from './db.js';

/** Jobs whose annotations may use a label of this owner: the task's, or every task of the project. */
const OWNER_JOBS = `SELECT j.id FROM jobs j JOIN tasks t ON t.id = j.task_id WHERE t.id = $2 OR t.project_id = $3`;

export interface LabelOwnerIds {
  taskId: number | null;
  projectId: number | null;
}

/**
 * Deletes the annotations that use a label or its sublabels; annotations carry no foreign key to
 * labels (see migration 0004), so the label repository calls this before deleting a label.
 */
export async function deleteAnnotationsOfLabel(
  db: Queryable,
  owner: LabelOwnerIds,
  labelId: number,
): Promise<void> {
  const labels = 'SELECT id FROM labels WHERE id = $1 OR parent_id = $1';
  for (const table of ['annotation_tags', 'annotation_shapes', 'annotation_tracks'])
    await db.query(`DELETE FROM ${table} WHERE job_id IN (${OWNER_JOBS}) AND label_id IN (${labels})`, [
      labelId,
      owner.taskId,
      owner.projectId,
    ]);
}

/** Removes the values of a deleted attribute from the annotations of the owner's jobs. */
export async function deleteAttributeValues(
  db: Queryable,
  owner: LabelOwnerIds,
  attributeId: number,
): Promise<void> {
  const strip = `attributes = (SELECT coalesce(jsonb_agg(e), '[]') FROM jsonb_array_elements(attributes) e
      WHERE (e->>'spec_id')::int <> $1)`;
  const has = `attributes @> jsonb_build_array(jsonb_build_object('spec_id', $1::int))`;
  for (const table of ['annotation_tags', 'annotation_shapes', 'annotation_tracks'])
    await db.query(`UPDATE ${table} SET ${strip} WHERE job_id IN (${OWNER_JOBS}) AND ${has}`, [
      attributeId,
      owner.taskId,
      owner.projectId,
    ]);
  await db.query(
    `UPDATE annotation_tracked_shapes SET ${strip}
     WHERE track_id IN (SELECT id FROM annotation_tracks WHERE job_id IN (${OWNER_JOBS})) AND ${has}`,
    [attributeId, owner.taskId, owner.projectId],
  );
}
