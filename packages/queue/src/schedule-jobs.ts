/**
 * Jobs of the schedule queue and the ids that make their repeats no-ops. A scheduled fire comes from
 * the BullMQ job scheduler `schedule-<id>` (its job id holds the fire time); a run-now carries the run
 * the API already recorded. The run's parent job (`finish`) waits for one export child per resource.
 */
import { z } from 'zod';

const id = z.number().int().positive();

/** `fire`: start a run (scheduled: no runId; run-now: the run the API made). */
export const scheduleFireSchema = z.object({
  version: z.literal(1),
  scheduleId: id,
  runId: id.optional(),
});

/** `finish`: every export of the run ended; count, apply retention, publish the outcome. */
export const scheduleFinishSchema = z.object({
  version: z.literal(1),
  scheduleId: id,
  runId: id,
});

/** `purge`: delete a schedule's marked archives, then the schedule (the API marked them). */
export const schedulePurgeSchema = z.object({
  version: z.literal(1),
  scheduleId: id,
});

/** Set on an export job a schedule run fanned out: the archive belongs to that schedule. */
export const scheduleRefSchema = z.object({ scheduleId: id, runId: id });

export type ScheduleFirePayload = z.infer<typeof scheduleFireSchema>;
export type ScheduleFinishPayload = z.infer<typeof scheduleFinishSchema>;
export type SchedulePurgePayload = z.infer<typeof schedulePurgeSchema>;
export type ScheduleRef = z.infer<typeof scheduleRefSchema>;

export const SCHEDULE_JOB_NAMES = { fire: 'fire', finish: 'finish', purge: 'purge' } as const;

/** The BullMQ job scheduler of a schedule (one per schedule, upserted). */
export function schedulerId(scheduleId: number): string {
  return `schedule-${scheduleId}`;
}

/** The schedule a job scheduler id belongs to; undefined for schedulers not made here. */
export function scheduleIdOfScheduler(key: string): number | undefined {
  const match = /^schedule-(\d+)$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

/** A run-now's fire job. */
export function manualFireJobId(scheduleId: number, runId: number): string {
  return `sched-${scheduleId}-run-${runId}-fire`;
}

/** The job deleting a schedule's archives (one at a time per schedule). */
export function purgeJobId(scheduleId: number): string {
  return `sched-${scheduleId}-purge`;
}

/** The run's parent job, which finishes the run once its exports ended. */
export function runFinishJobId(scheduleId: number, runId: number): string {
  return `sched-${scheduleId}-run-${runId}`;
}

/** One export of a run (BullMQ ids may not contain `:`). */
export function runExportJobId(
  scheduleId: number,
  runId: number,
  target: 'task' | 'project',
  targetId: number,
): string {
  return `sched-${scheduleId}-run-${runId}-${target}-${targetId}`;
}

/** Reads the resource back from a run export's job id (or its Redis key, which ends with the id). */
export function parseRunExportJobId(
  idOrKey: string,
): { scheduleId: number; runId: number; target: 'task' | 'project'; targetId: number } | undefined {
  const match = /sched-(\d+)-run-(\d+)-(task|project)-(\d+)$/.exec(idOrKey);
  if (!match) return undefined;
  return {
    scheduleId: Number(match[1]),
    runId: Number(match[2]),
    target: match[3] as 'task' | 'project',
    targetId: Number(match[4]),
  };
}
