import { isAppError } from '@cvat-backup/common';
import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from './queue-names.js';
import { checkCadence } from './schedule-cadence.js';
import { parseRunExportJobId, runExportJobId, scheduleIdOfScheduler, schedulerId } from './schedule-jobs.js';
import { applyScheduler, nextFireDate, reconcileSchedulers } from './schedule-schedulers.js';

const codeOf = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return isAppError(err) ? err.code : String(err);
  }
};

describe('schedule cadence', () => {
  it('accepts a cron in a time zone or an interval, and names what is wrong otherwise', () => {
    expect(
      codeOf(() => checkCadence({ cron: '0 3 * * *', timezone: 'Europe/Paris', every_seconds: null })),
    ).toBe('ok');
    expect(codeOf(() => checkCadence({ cron: '*/5 * * * * *', timezone: 'UTC', every_seconds: null }))).toBe(
      'ok',
    );
    expect(codeOf(() => checkCadence({ cron: null, timezone: 'UTC', every_seconds: 1 }))).toBe('ok');
    expect(codeOf(() => checkCadence({ cron: '0 3 * * *', timezone: 'UTC', every_seconds: 5 }))).toBe(
      'SCHEDULE_CADENCE_INVALID',
    );
    expect(codeOf(() => checkCadence({ cron: null, timezone: 'UTC', every_seconds: null }))).toBe(
      'SCHEDULE_CADENCE_INVALID',
    );
    expect(codeOf(() => checkCadence({ cron: '61 3 * * *', timezone: 'UTC', every_seconds: null }))).toBe(
      'SCHEDULE_CRON_INVALID',
    );
    expect(codeOf(() => checkCadence({ cron: 'every day', timezone: 'UTC', every_seconds: null }))).toBe(
      'SCHEDULE_CRON_INVALID',
    );
    expect(
      codeOf(() => checkCadence({ cron: '0 3 * * *', timezone: 'Mars/Olympus', every_seconds: null })),
    ).toBe('SCHEDULE_TIMEZONE_INVALID');
  });

  it('reads ids back', () => {
    expect(scheduleIdOfScheduler(schedulerId(42))).toBe(42);
    expect(scheduleIdOfScheduler('sweep')).toBeUndefined();
    const key = `bull:cvb-export:${runExportJobId(3, 17, 'project', 9)}`;
    expect(parseRunExportJobId(key)).toEqual({ scheduleId: 3, runId: 17, target: 'project', targetId: 9 });
    expect(runExportJobId(3, 17, 'task', 9)).not.toContain(':');
  });
});

describe('job schedulers of schedules on real Redis', () => {
  const prefix = uniqueName('sched');
  let redis: Redis;
  let queue: Queue;
  beforeAll(() => {
    redis = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAMES.schedule, { connection: redis, prefix });
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await deleteRedisKeys(prefix);
  });

  it('keeps one scheduler per schedule however often it is applied, with its next fire time', async () => {
    const schedule = { id: 1, enabled: true, cron: '0 3 * * *', timezone: 'Asia/Tokyo', every_seconds: null };
    await applyScheduler(queue, schedule);
    await applyScheduler(queue, schedule);
    await Promise.all([applyScheduler(queue, schedule), applyScheduler(queue, schedule)]);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['schedule-1']);
    expect(schedulers[0]).toMatchObject({ pattern: '0 3 * * *', tz: 'Asia/Tokyo' });
    const next = await nextFireDate(queue, 1);
    // 03:00 in Tokyo is 18:00 UTC.
    expect(next?.getUTCHours()).toBe(18);
    expect(next!.getTime()).toBeGreaterThan(Date.now());
    // Delayed fire jobs: exactly one pending for the scheduler.
    expect((await queue.getDelayed()).filter((j) => j.repeatJobKey === 'schedule-1')).toHaveLength(1);

    await applyScheduler(queue, { ...schedule, enabled: false });
    expect(await queue.getJobSchedulers()).toHaveLength(0);
    expect(await nextFireDate(queue, 1)).toBeNull();
  });

  it('reconciles: upserts the enabled, removes schedulers of schedules gone, leaves other schedulers', async () => {
    await applyScheduler(queue, { id: 7, enabled: true, cron: null, timezone: 'UTC', every_seconds: 3600 });
    await applyScheduler(queue, { id: 8, enabled: true, cron: null, timezone: 'UTC', every_seconds: 3600 });
    await queue.upsertJobScheduler('not-a-schedule', { every: 3600_000 }, { name: 'other' });
    const result = await reconcileSchedulers(queue, [
      { id: 8, enabled: true, cron: null, timezone: 'UTC', every_seconds: 60 },
      { id: 9, enabled: true, cron: '*/10 * * * *', timezone: 'UTC', every_seconds: null },
    ]);
    expect(result).toEqual({ upserted: 2, removed: 1 });
    const keys = (await queue.getJobSchedulers()).map((s) => s.key).sort();
    expect(keys).toEqual(['not-a-schedule', 'schedule-8', 'schedule-9']);
    expect((await queue.getJobScheduler('schedule-8'))?.every).toBe(60_000);

    // The periodic pass only restores what is missing (a Redis that lost its keys).
    await queue.removeJobScheduler('schedule-9');
    const repaired = await reconcileSchedulers(
      queue,
      [
        { id: 8, enabled: true, cron: null, timezone: 'UTC', every_seconds: 30 },
        { id: 9, enabled: true, cron: '*/10 * * * *', timezone: 'UTC', every_seconds: null },
      ],
      { onlyMissing: true },
    );
    expect(repaired).toEqual({ upserted: 1, removed: 0 });
    expect((await queue.getJobScheduler('schedule-8'))?.every).toBe(60_000);
    expect((await queue.getJobScheduler('schedule-9'))?.pattern).toBe('*/10 * * * *');
  });
});
