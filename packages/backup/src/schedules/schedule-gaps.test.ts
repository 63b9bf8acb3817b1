/**
 * The gaps closed after the first version of scheduled backups: an export job that vanished from the
 * queue is reported (and a run its parent job will never end is settled by the repair), skip_unchanged
 * honours the lightweight setting and the target, and a schedule deleted with its archives goes in
 * marked steps that a later sweep finishes.
 */
import { AppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import {
  scheduledFire as fire,
  scheduleSettings as settings,
  useScheduleFixture,
} from '../../test/schedule-fixture.js';
import { finishScheduleRun } from './finish-run.js';
import { fireScheduleRun } from './fire-run.js';
import { purgeDeletingSchedules, purgeSchedule } from './purge-schedule.js';
import { repairLostRuns } from './repair-runs.js';

const k = useScheduleFixture();

describe('an export job that disappeared', () => {
  it('counts as failed with SCHEDULE_EXPORT_GONE when the parent finishes without it', async () => {
    const { actor, tasks } = await k.ownerWithTasks(['kept', 'removed']);
    const s = await k.f.catalog.schedules.create(actor.id, settings());
    const r = k.record();
    await fireScheduleRun(r.deps, fire(s, 'x'));
    const [kept, removed] = r.fanOuts[0]!;
    const made = await k.exported(kept!, new Date());
    // BullMQ dropped the removed export from the parent: it shows up neither as processed nor failed.
    await finishScheduleRun(r.deps, { scheduleId: s.id, runId: made.run_id, childFailures: [] });
    const run = await k.f.catalog.schedules.getRun(s.id, made.run_id);
    expect(run).toMatchObject({ status: 'failed', total: 2, done: 1, failed: 1, skipped: 0 });
    expect(run?.failures).toEqual([
      {
        target: 'task',
        id: tasks[1],
        code: 'SCHEDULE_EXPORT_GONE',
        message: expect.stringContaining(`sched-${s.id}-run-${made.run_id}-task-${removed!.targetId}`),
      },
    ]);
    expect(r.events.map((e) => e.type)).toEqual(['schedule_run:failed']);
  });

  it('the repair settles runs whose parent is gone or stuck, and leaves pending and young runs alone', async () => {
    const { actor, tasks } = await k.ownerWithTasks(['t']);
    const states = new Map<number, 'pending' | 'gone' | 'stuck'>();
    const r = k.record({
      inspectRun: async (run) => {
        const state = states.get(run.schedule_id) ?? 'pending';
        return state === 'stuck'
          ? {
              state,
              childFailures: [{ target: 'task', id: tasks[0]!, reason: 'BACKUP_TASK_NOT_FOUND: gone' }],
            }
          : { state };
      },
    });
    const make = async (state: 'pending' | 'gone' | 'stuck') => {
      const s = await k.f.catalog.schedules.create(actor.id, settings());
      states.set(s.id, state);
      await fireScheduleRun(r.deps, fire(s, 'x'));
      return s.id;
    };
    const [pending, gone, stuck] = [await make('pending'), await make('gone'), await make('stuck')];
    // A run that has not fanned out yet (a fire still working on it) is young: not lost.
    const young = await k.f.catalog.schedules.create(actor.id, settings());
    states.set(young.id, 'gone');
    await k.f.catalog.schedules.startRun({
      scheduleId: young.id,
      trigger: 'manual',
      fireKey: 'm',
      fireDate: new Date(),
    });

    expect(await repairLostRuns(r.deps)).toBe(2);
    const last = async (id: number) => (await k.f.catalog.schedules.listRuns(id)).results[0]!;
    expect((await last(pending)).status).toBe('running');
    expect((await last(young.id)).status).toBe('running');
    expect((await last(gone)).failures.map((x) => x.code)).toEqual(['SCHEDULE_EXPORT_GONE']);
    const stuckRun = await last(stuck);
    expect(stuckRun).toMatchObject({ status: 'failed', failed: 1 });
    expect(stuckRun.failures.map((x) => x.code)).toEqual(['BACKUP_TASK_NOT_FOUND']);
    expect(r.dropped).toEqual(expect.arrayContaining([(await last(gone)).id, stuckRun.id]));
    // The schedule is free again: the next fire makes a run.
    expect(await fireScheduleRun(r.deps, fire((await k.f.catalog.schedules.find(stuck))!, 'next'))).toBe(
      'fanned-out',
    );
    // Repeating the repair changes nothing.
    const before = await last(gone);
    await repairLostRuns(r.deps);
    expect(await last(gone)).toEqual(before);
  });
});

describe('skip_unchanged and the run options', () => {
  it('makes a new archive when the lightweight setting or the target storage changed', async () => {
    const { actor, tasks } = await k.ownerWithTasks(['t']);
    const task = (await k.f.catalog.tasks.get(actor, tasks[0]!))!;
    const storage = await k.f.catalog.cloudStorages.create(actor, {
      provider_type: 'AWS_S3_BUCKET',
      resource: 'bucket',
      display_name: 'b',
      credentials_type: 'ANONYMOUS_ACCESS',
    });
    const s = await k.f.catalog.schedules.create(actor.id, settings({ lightweight: false }));
    const r = k.record();
    let n = 0;
    /** Fires once; exports what was planned; returns how many exports the run queued. */
    const runOnce = async () => {
      const before = r.fanOuts.length;
      const outcome = await fireScheduleRun(r.deps, fire(s, `f${++n}`));
      if (outcome !== 'fanned-out') return 0;
      const plan = r.fanOuts[before]!;
      const made = await Promise.all(plan.map((p) => k.exported(p, task.updated_date)));
      await finishScheduleRun(r.deps, { scheduleId: s.id, runId: made[0]!.run_id, childFailures: [] });
      return plan.length;
    };
    const patch = (over: Parameters<typeof k.f.catalog.schedules.update>[2]) =>
      k.f.catalog.schedules.update(actor, s.id, over);

    expect(await runOnce()).toBe(1);
    expect(await runOnce()).toBe(0);
    await patch({ lightweight: true });
    expect(await runOnce()).toBe(1);
    expect(r.fanOuts.at(-1)![0]!.lightweight).toBe(true);
    expect(await runOnce()).toBe(0);
    await patch({ target_storage: { location: 'cloud_storage', cloud_storage_id: storage.id } });
    expect(await runOnce()).toBe(1);
    expect(r.fanOuts.at(-1)![0]!.destination).toEqual({
      location: 'cloud_storage',
      cloudStorageId: storage.id,
    });
    expect(await runOnce()).toBe(0);
    // Back to a setting an earlier archive was made with: that archive still stands for the task.
    await patch({ target_storage: { location: 'local' } });
    expect(await runOnce()).toBe(0);
    await patch({ lightweight: false });
    expect(await runOnce()).toBe(0);
  });

  it('does not count an archive whose requested setting is unknown (recorded before it was kept)', async () => {
    const { actor, tasks } = await k.ownerWithTasks(['t']);
    const task = (await k.f.catalog.tasks.get(actor, tasks[0]!))!;
    const s = await k.f.catalog.schedules.create(actor.id, settings());
    const r = k.record();
    await fireScheduleRun(r.deps, fire(s, 'a'));
    const payload = r.fanOuts[0]![0]!;
    const made = await k.f.catalog.schedules.recordArchive({
      ...(await k.exported(payload, task.updated_date)),
      lightweight_requested: null,
    });
    await finishScheduleRun(r.deps, { scheduleId: s.id, runId: made.run_id, childFailures: [] });
    expect(await fireScheduleRun(r.deps, fire(s, 'b'))).toBe('fanned-out');
  });
});

describe('deleting a schedule with its archives', () => {
  it('deletes files then rows then the schedule, keeps an object another schedule lists, and resumes after a failure', async () => {
    const { actor } = await k.ownerWithTasks(['a', 'b']);
    const s = await k.f.catalog.schedules.create(actor.id, settings());
    const keeper = await k.f.catalog.schedules.create(actor.id, settings());
    const r = k.record();
    await fireScheduleRun(r.deps, fire(s, 'x'));
    const made = await Promise.all(r.fanOuts[0]!.map((p) => k.exported(p, new Date())));
    await finishScheduleRun(r.deps, { scheduleId: s.id, runId: made[0]!.run_id, childFailures: [] });
    // Another schedule lists the first object too (a shared name): it must survive.
    await fireScheduleRun(r.deps, fire(keeper, 'y'));
    const keeperRun = r.fanOuts[1]![0]!.schedule!.runId;
    await k.f.catalog.schedules.recordArchive({ ...made[0]!, schedule_id: keeper.id, run_id: keeperRun });

    expect(await k.f.catalog.schedules.retire(actor, s.id)).toBe('retired');
    expect((await k.f.catalog.schedules.listArchives(s.id)).count).toBe(2);
    // A run-now accepted before the delete fans nothing out once the schedule is retired.
    const late = await k.f.catalog.schedules.startRun({
      scheduleId: s.id,
      trigger: 'manual',
      fireKey: 'late',
      fireDate: new Date(),
    });
    if (late.kind === 'busy') throw new Error('busy');
    expect(await fireScheduleRun(r.deps, fire(s, 'late', { trigger: 'manual', runId: late.run.id }))).toBe(
      'finished',
    );
    expect(r.fanOuts).toHaveLength(2);

    expect(await k.f.catalog.schedules.beginPurge(actor, s.id)).toBe(true);
    // The shared object is not touched (its row just goes); the other one's storage is down at first.
    let calls = 0;
    const flaky = k.record({
      driverFor: async () => {
        if (++calls === 1) throw new Error('storage unreachable');
        return k.archives;
      },
    });
    expect(await purgeSchedule(flaky.deps, s.id)).toEqual({ deleted: 1, failed: 1, removed: false });
    expect(await k.f.catalog.schedules.find(s.id)).toMatchObject({ state: 'deleting' });
    expect(await purgeDeletingSchedules(r.deps)).toBeGreaterThanOrEqual(1);
    expect(await k.f.catalog.schedules.find(s.id)).toBeNull();
    expect(await k.archives.head(made[0]!.key)).toBeDefined();
    expect(await k.archives.head(made[1]!.key)).toBeUndefined();
    expect((await k.f.catalog.schedules.listArchives(keeper.id)).count).toBe(1);
  });

  it('drops the rows of archives in a cloud storage whose record was deleted, and finishes', async () => {
    const { actor } = await k.ownerWithTasks(['c']);
    const s = await k.f.catalog.schedules.create(actor.id, settings());
    const r = k.record();
    await fireScheduleRun(r.deps, fire(s, 'x'));
    const made = await k.exported(r.fanOuts[0]![0]!, new Date());
    await k.f.catalog.schedules.recordArchive({
      ...made,
      location: 'cloud_storage',
      cloud_storage_id: 999_999,
    });
    expect(await k.f.catalog.schedules.beginPurge(actor, s.id)).toBe(true);
    const gone = k.record({
      driverFor: async (where) => {
        if (where.location === 'cloud_storage')
          throw new AppError('BACKUP_CLOUD_STORAGE_NOT_FOUND', { id: 1 });
        return k.archives;
      },
    });
    expect(await purgeSchedule(gone.deps, s.id)).toEqual({ deleted: 1, failed: 0, removed: true });
    expect(await k.f.catalog.schedules.find(s.id)).toBeNull();
  });
});
