import { AppError } from '@cvat-backup/common';
import type { JobContext } from '../validation/annotation-rules.js';
import type { Queryable } from './db.js';

export { type JobContext, validateItem } from '../validation/annotation-rules.js';

/** Loads the job's frame range and its task's labels (the project's for a task in a project). */
export async function loadJobContext(db: Queryable, jobId: number): Promise<JobContext> {
  const { rows } = await db.query<{
    task_id: number;
    project_id: number | null;
    start_frame: number;
    stop_frame: number;
    frames: number[] | null;
  }>(
    `SELECT j.task_id, t.project_id, s.start_frame, s.stop_frame, s.frames
     FROM jobs j JOIN segments s ON s.id = j.segment_id JOIN tasks t ON t.id = j.task_id WHERE j.id = $1`,
    [jobId],
  );
  const job = rows[0];
  if (!job) throw new AppError('CATALOG_REFERENCE_NOT_FOUND', { entity: 'job', id: jobId });
  const { rows: labels } = await db.query<{ id: number; parent_id: number | null; attribute_ids: number[] }>(
    `SELECT l.id, l.parent_id, ARRAY(SELECT a.id FROM label_attributes a WHERE a.label_id = l.id) AS attribute_ids
     FROM labels l WHERE l.project_id = $1 OR ($1::integer IS NULL AND l.task_id = $2)`,
    [job.project_id, job.task_id],
  );
  return {
    jobId,
    taskId: job.task_id,
    startFrame: job.start_frame,
    stopFrame: job.stop_frame,
    frames: job.frames ? new Set(job.frames) : null,
    labels: new Map(
      labels.map((l) => [l.id, { parentId: l.parent_id, attributeIds: new Set(l.attribute_ids) }]),
    ),
  };
}
