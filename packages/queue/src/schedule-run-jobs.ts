import type { Job, Queue } from 'bullmq';
import { parseRunExportJobId, runFinishJobId } from './schedule-jobs.js';

/** An export of a run that failed for good: the resource and the job's `CODE: message` reason. */
export interface RunChildFailure {
  target: 'task' | 'project';
  id: number;
  reason: string;
}

/**
 * What the queue still knows of a running run. `pending`: its parent job will run (it waits for
 * exports that exist, or is queued). `gone`: the parent job was removed, or ended without ending the
 * run (Redis lost it, or an operator removed it). `stuck`: the parent waits only for exports whose jobs
 * no longer exist (keys deleted behind BullMQ's back), so it would wait forever.
 */
export type RunJobsState =
  | { state: 'pending' }
  | { state: 'gone' }
  | { state: 'stuck'; childFailures: RunChildFailure[] };

/** The failed exports a run's parent holds (failures of children with ignoreDependencyOnFailure). */
export async function runChildFailures(parent: Job): Promise<RunChildFailure[]> {
  const failed = await parent.getIgnoredChildrenFailures();
  return Object.entries(failed).flatMap(([key, reason]) => {
    const ref = parseRunExportJobId(key);
    return ref ? [{ target: ref.target, id: ref.targetId, reason: String(reason) }] : [];
  });
}

/**
 * Reads the state of a run's jobs: the parent in the schedule queue, its exports in the export queue.
 * BullMQ (6.x) takes a removed child out of its parent's dependencies and moves the parent on when it
 * was the last one, so removal through BullMQ never leaves a parent waiting; only keys deleted directly
 * in Redis do, and those are what `stuck` detects.
 */
export async function inspectRunJobs(
  queues: { schedule: Queue; export: Queue },
  run: { scheduleId: number; runId: number },
): Promise<RunJobsState> {
  const parent = await queues.schedule.getJob(runFinishJobId(run.scheduleId, run.runId));
  if (!parent) return { state: 'gone' };
  const state = await parent.getState();
  if (state === 'completed' || state === 'failed' || state === 'unknown') return { state: 'gone' };
  if (state !== 'waiting-children') return { state: 'pending' };
  const { unprocessed = [] } = await parent.getDependencies();
  for (const key of unprocessed) {
    // A dependency key ends with the child's id (ids never hold ':'); anything not ours counts as alive.
    if (!parseRunExportJobId(key)) return { state: 'pending' };
    if (await queues.export.getJob(key.slice(key.lastIndexOf(':') + 1))) return { state: 'pending' };
  }
  return { state: 'stuck', childFailures: await runChildFailures(parent) };
}

/** Removes a run's parent job once the run was settled without it (its exports are left alone). */
export async function dropRunJob(schedule: Queue, run: { scheduleId: number; runId: number }): Promise<void> {
  const parent = await schedule.getJob(runFinishJobId(run.scheduleId, run.runId));
  await parent?.remove({ removeChildren: false });
}
