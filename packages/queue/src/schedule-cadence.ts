import { AppError } from '@cvat-backup/common';
import { CronExpressionParser } from 'cron-parser';

/** When a schedule fires: a cron expression in a time zone, or a fixed interval. */
export interface Cadence {
  cron: string | null;
  timezone: string;
  every_seconds: number | null;
}

/** BullMQ's repeat options of a cadence. */
export type RepeatOptions = { pattern: string; tz: string } | { every: number };

/**
 * Throws a coded 400 unless exactly one of cron / every_seconds is set, the time zone is a known IANA
 * zone and the cron expression parses (with the same parser BullMQ fires it with).
 */
export function checkCadence(cadence: Cadence): void {
  const hasCron = cadence.cron !== null;
  const hasEvery = cadence.every_seconds !== null;
  if (hasCron === hasEvery)
    throw new AppError('SCHEDULE_CADENCE_INVALID', {
      problem: hasCron ? 'both are set' : 'neither is set',
    });
  try {
    new Intl.DateTimeFormat('en', { timeZone: cadence.timezone });
  } catch {
    throw new AppError('SCHEDULE_TIMEZONE_INVALID', { timezone: cadence.timezone });
  }
  if (cadence.cron !== null) {
    try {
      CronExpressionParser.parse(cadence.cron, { tz: cadence.timezone, strict: false });
    } catch (err) {
      throw new AppError('SCHEDULE_CRON_INVALID', {
        cron: cadence.cron,
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

export function repeatOptions(cadence: Cadence): RepeatOptions {
  if (cadence.cron !== null) return { pattern: cadence.cron, tz: cadence.timezone };
  return { every: (cadence.every_seconds ?? 1) * 1000 };
}
