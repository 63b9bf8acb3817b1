/**
 * Job payloads, parsed with these schemas at both ends: by the producer before enqueueing (so an
 * outside server enqueueing directly gets the same checks) and by the worker before doing anything.
 */
import { z } from 'zod';
import { scheduleRefSchema } from './schedule-jobs.js';

const id = z.number().int().positive();

export const targetSchema = z.enum(['task', 'project']);

/** Where an archive is written to (export) or read from (import). */
export const locationSchema = z.discriminatedUnion('location', [
  z.object({ location: z.literal('local') }),
  z.object({ location: z.literal('cloud_storage'), cloudStorageId: id }),
]);

export const exportJobSchema = z.object({
  version: z.literal(1),
  target: targetSchema,
  targetId: id,
  userId: id,
  /**
   * The project of an exported task when it was queued (CVAT's `operation.project_id`, by which
   * `/api/requests?project_id=` finds it); absent for a task outside a project and in older jobs.
   */
  projectId: id.optional(),
  /** Already resolved: true only when the resource has cloud-backed data to leave out. */
  lightweight: z.boolean(),
  destination: locationSchema,
  /** A custom archive name; the default name is derived from the resource when absent. */
  filename: z.string().min(1).max(1024).optional(),
  requestedAt: z.iso.datetime(),
  /** Set when a schedule run made this export: the archive goes under the schedule's own key. */
  schedule: scheduleRefSchema.optional(),
});

export const importSourceSchema = z.discriminatedUnion('kind', [
  /** An upload the API staged in its own storage under this key. */
  z.object({ kind: z.literal('staged'), key: z.string().min(1).max(1024) }),
  z.object({ kind: z.literal('cloud_storage'), cloudStorageId: id, key: z.string().min(1).max(1024) }),
]);

export const importJobSchema = z.object({
  version: z.literal(1),
  target: targetSchema,
  userId: id,
  source: importSourceSchema,
  /** Restore a task into this project (its labels are then the project's). */
  projectId: id.optional(),
  originalFilename: z.string().max(1024).optional(),
  requestedAt: z.iso.datetime(),
});

export type Location = z.infer<typeof locationSchema>;
export type ExportJobPayload = z.infer<typeof exportJobSchema>;
export type ImportJobPayload = z.infer<typeof importJobSchema>;
export type ImportSource = z.infer<typeof importSourceSchema>;

/** What a worker reports while a job runs (BullMQ `job.updateProgress`). */
export const progressSchema = z.object({
  phase: z.enum([
    'queued',
    'reading',
    'writing-media',
    'writing-annotations',
    'committing',
    'validating',
    'restoring-media',
    'restoring-records',
    'done',
  ]),
  bytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative().optional(),
  entries: z.number().int().nonnegative(),
  totalEntries: z.number().int().nonnegative().optional(),
});

export type JobProgress = z.infer<typeof progressSchema>;

/** Progress as CVAT reports it: a fraction in [0, 1], from bytes when the total is known. */
export function progressFraction(progress: JobProgress | undefined): number {
  if (!progress) return 0;
  if (progress.phase === 'done') return 1;
  if (progress.totalBytes) return Math.min(1, progress.bytes / progress.totalBytes);
  if (progress.totalEntries) return Math.min(1, progress.entries / progress.totalEntries);
  return 0;
}
