import { AppError } from '@cvat-backup/common';
import type pg from 'pg';
import type { AnnotationItem, JobAnnotations, WriteCounts } from '../repositories/annotation.repository.js';
import { jobAnnotations } from './annotation-reader.js';
import { type JobContext, loadJobContext } from './annotation-validator.js';
import { DEFAULT_BATCH_ROWS, writeAnnotations } from './annotation-writer.js';
import type { Connections, Queryable } from './db.js';

/**
 * The jobs whose annotations make up the task's: annotation jobs, plus ground-truth jobs of a
 * `gt_pool` task (CVAT's rule), in segment order.
 */
export async function taskAnnotationJobs(db: Queryable, taskId: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT j.id FROM jobs j JOIN segments s ON s.id = j.segment_id LEFT JOIN task_data d ON d.task_id = j.task_id
     WHERE j.task_id = $1 AND (j.type = 'annotation' OR (j.type = 'ground_truth' AND d.validation_mode = 'gt_pool'))
     ORDER BY s.start_frame, (SELECT min(f.id) FROM jobs f WHERE f.segment_id = j.segment_id), j.id`,
    [taskId],
  );
  return rows.map((r) => r.id);
}

/** The task's annotations as the concatenation of its jobs' streams. */
export function taskAnnotations(conn: Connections, taskId: number, batch?: number): JobAnnotations {
  async function* over<T>(pick: (job: JobAnnotations) => AsyncIterable<T>): AsyncIterable<T> {
    for (const jobId of await taskAnnotationJobs(conn.db, taskId))
      yield* pick(jobAnnotations(conn, jobId, batch));
  }
  return {
    version: 0,
    tags: () => over((j) => j.tags()),
    shapes: () => over((j) => j.shapes()),
    tracks: () => over((j) => j.tracks()),
  };
}

function framesOf(item: AnnotationItem): number[] {
  if (item.kind !== 'track') return [item.value.frame];
  const frames = [item.value.frame, ...item.value.shapes.map((s) => s.frame)];
  for (const e of item.value.elements ?? []) frames.push(e.frame, ...e.shapes.map((s) => s.frame));
  return frames;
}

const inJob = (ctx: JobContext, frame: number) =>
  frame >= ctx.startFrame && frame <= ctx.stopFrame && (!ctx.frames || ctx.frames.has(frame));

/**
 * Task-level write: each object goes to the first of the task's jobs that holds all its frames, in
 * batches (memory bounded by `batchRows`). Runs on a client already inside a transaction.
 */
export async function writeTaskAnnotations(
  client: pg.PoolClient,
  taskId: number,
  jobIds: readonly number[],
  items: Iterable<AnnotationItem> | AsyncIterable<AnnotationItem>,
  batchRows = DEFAULT_BATCH_ROWS,
): Promise<WriteCounts> {
  const contexts: JobContext[] = [];
  for (const id of jobIds) contexts.push(await loadJobContext(client, id));
  const pending = new Map<JobContext, AnnotationItem[]>();
  let held = 0;
  const counts: WriteCounts = { tags: 0, shapes: 0, tracks: 0 };
  const flush = async () => {
    for (const [ctx, batch] of pending)
      if (batch.length) await writeAnnotations(client, ctx, batch, { batchRows });
    pending.clear();
    held = 0;
  };
  let index = 0;
  for await (const item of items) {
    const frames = framesOf(item);
    const ctx = contexts.find((c) => frames.every((f) => inJob(c, f)));
    if (!ctx)
      throw new AppError('CATALOG_ANNOTATION_INVALID', {
        kind: item.kind,
        index,
        jobId: `of task ${taskId}`,
        problem: `frames ${[...new Set(frames)].join(', ')} do not lie within one job of the task`,
      });
    const list = pending.get(ctx) ?? [];
    list.push(item);
    pending.set(ctx, list);
    counts[`${item.kind}s`]++;
    index++;
    if (++held >= batchRows) await flush();
  }
  await flush();
  return counts;
}
