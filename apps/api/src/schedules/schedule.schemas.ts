import { z } from 'zod';

const id = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);

export const scopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('projects'), project_ids: z.array(id).min(1).max(1000) }).strict(),
  z.object({ type: z.literal('all_projects') }).strict(),
  z.object({ type: z.literal('tasks_outside_projects') }).strict(),
]);

export const targetSchema = z.discriminatedUnion('location', [
  z.object({ location: z.literal('local') }).strict(),
  z.object({ location: z.literal('cloud_storage'), cloud_storage_id: id }).strict(),
]);

export const retentionSchema = z
  .object({
    keep_last: z.number().int().min(1).max(100_000).optional(),
    max_age_days: z.number().positive().max(36_500).optional(),
  })
  .strict();

const fields = {
  name: z.string().trim().min(1).max(256),
  cron: z.string().trim().min(1).max(256),
  timezone: z.string().trim().min(1).max(64),
  every_seconds: z
    .number()
    .int()
    .min(1)
    .max(366 * 24 * 3600),
  scope: scopeSchema,
  target_storage: targetSchema,
  lightweight: z.boolean(),
  name_template: z.string().trim().min(1).max(512),
  retention: retentionSchema,
  skip_unchanged: z.boolean(),
  enabled: z.boolean(),
};

export const scheduleCreateBody = z
  .object({
    name: fields.name,
    cron: fields.cron.optional(),
    timezone: fields.timezone.optional(),
    every_seconds: fields.every_seconds.optional(),
    scope: fields.scope,
    target_storage: fields.target_storage,
    lightweight: fields.lightweight.optional(),
    name_template: fields.name_template.optional(),
    retention: fields.retention.optional(),
    skip_unchanged: fields.skip_unchanged.optional(),
    enabled: fields.enabled.optional(),
  })
  .strict();

/** A partial update; `null` clears `cron` or `every_seconds` (setting one clears the other). */
export const schedulePatchBody = scheduleCreateBody.partial().extend({
  cron: fields.cron.nullable().optional(),
  every_seconds: fields.every_seconds.nullable().optional(),
});

export type ScheduleCreateBody = z.infer<typeof scheduleCreateBody>;
export type SchedulePatchBody = z.infer<typeof schedulePatchBody>;

const pathId = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
export const runParams = z.object({ id: pathId, run_id: pathId });

/** `DELETE …/{id}`: keep the archives tracked (default), or delete them with the schedule. */
export const scheduleDeleteQuery = z
  .object({
    delete_archives: z
      .enum(['true', 'false'])
      .optional()
      .describe(
        'false (default): the schedule stops and is kept as "retired" with its runs and archives (listed, downloadable); true: its archives are deleted too (local and cloud), then the schedule (202, state "deleting" until done)',
      )
      .transform((v) => v === 'true'),
  })
  .strict();
export const archiveParams = z.object({ id: pathId, archive_id: pathId });
