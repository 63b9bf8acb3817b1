import { checkNameTemplate, DEFAULT_NAME_TEMPLATE } from '@cvat-backup/backup';
import type { Actor, Catalog, ScheduleRecord, ScheduleSettings } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { checkCadence } from '@cvat-backup/queue';
import type { ScheduleCreateBody, SchedulePatchBody } from './schedule.schemas.js';

/** A create body with its defaults filled in. */
export function settingsOf(body: ScheduleCreateBody): ScheduleSettings {
  return {
    name: body.name,
    cron: body.cron ?? null,
    timezone: body.timezone ?? 'UTC',
    every_seconds: body.every_seconds ?? null,
    scope: body.scope,
    target_storage: body.target_storage,
    lightweight: body.lightweight ?? true,
    name_template: body.name_template ?? DEFAULT_NAME_TEMPLATE,
    retention: body.retention ?? {},
    skip_unchanged: body.skip_unchanged ?? true,
    enabled: body.enabled ?? true,
  };
}

/** The settings a patch leads to: setting one cadence clears the other, unless both are given. */
export function patchedSettings(current: ScheduleRecord, patch: SchedulePatchBody): ScheduleSettings {
  const next: ScheduleSettings = { ...current };
  for (const [key, value] of Object.entries(patch))
    if (value !== undefined) Object.assign(next, { [key]: value });
  if (patch.cron && patch.every_seconds === undefined) next.every_seconds = null;
  if (patch.every_seconds && patch.cron === undefined) next.cron = null;
  return next;
}

/**
 * Checks what the owner's schedule refers to, read as the owner: the cadence and time zone parse, the
 * name template is usable, listed projects exist and are visible, the cloud storage is the owner's.
 */
export async function checkSettings(
  catalog: Catalog,
  owner: Actor,
  settings: ScheduleSettings,
): Promise<void> {
  checkCadence(settings);
  checkNameTemplate(settings.name_template);
  if (settings.scope.type === 'projects') {
    for (const id of new Set(settings.scope.project_ids))
      if (!(await catalog.projects.get(owner, id))) throw new AppError('SCHEDULE_PROJECT_NOT_FOUND', { id });
  }
  const target = settings.target_storage;
  if (target.location === 'cloud_storage') {
    const storage = await catalog.cloudStorages.get(owner, target.cloud_storage_id);
    if (!storage || storage.owner?.id !== owner.id)
      throw new AppError('SCHEDULE_CLOUD_STORAGE_NOT_FOUND', { id: target.cloud_storage_id });
  }
}
