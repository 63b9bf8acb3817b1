/**
 * Fire and finish of schedule runs on a real catalog and a real local archive store. The queue side
 * (fan-out, webhook publishing) is recorded here; the e2e suite runs it through BullMQ and workers.
 */
import { describe, expect, it } from 'vitest';
import {
  scheduledFire as fire,
  scheduleSettings as settings,
  useScheduleFixture,
} from '../../test/schedule-fixture.js';
import { finishScheduleRun } from './finish-run.js';
import { fireScheduleRun } from './fire-run.js';
import { recordScheduledArchive } from './scheduled-export.js';

const k = useScheduleFixture();

describe('schedule runs', () => {
  it('makes one run per fire and fans it out once, even when the fire is delivered again', async () => {
    const { actor, tasks } = await k.ownerWithTasks(['same', 'same', 'other']);
    const s = await k.f.catalog.schedules.create(actor.id, settings());
    // The first delivery dies after queueing the exports, before recording the fan-out.
    const crashed = k.record({
      fanOut: async () => {
        throw new Error('worker died');
      },
    });
    await expect(fireScheduleRun(crashed.deps, fire(s, 'k1'))).rejects.toThrow('worker died');
    const r = k.record();
    expect(await fireScheduleRun(r.deps, fire(s, 'k1'))).toBe('fanned-out');
    expect(await fireScheduleRun(r.deps, fire(s, 'k1'))).toBe('already-fanned-out');
    expect(r.fanOuts).toHaveLength(1);
    const plan = r.fanOuts[0]!;
    expect(plan.map((p) => p.targetId)).toEqual(tasks);
    // Names are distinct within the run: two tasks named alike get their id added.
    expect(plan.map((p) => p.filename)).toEqual([
      `same_2026_05_06_07_08_09_task-${tasks[0]}.zip`,
      `same_2026_05_06_07_08_09_task-${tasks[1]}.zip`,
      'other_2026_05_06_07_08_09.zip',
    ]);
    expect(plan[0]).toMatchObject({
      userId: actor.id,
      destination: { location: 'local' },
      lightweight: false,
    });
    const runs = await k.f.catalog.schedules.listRuns(s.id);
    expect(runs.count).toBe(1);
    expect(runs.results[0]).toMatchObject({ total: 3, skipped: 0, fanned_out: true, status: 'running' });

    // Another fire while the run runs makes no run.
    expect(await fireScheduleRun(r.deps, fire(s, 'k2'))).toBe('busy');
    expect((await k.f.catalog.schedules.listRuns(s.id)).count).toBe(1);
  });

  it('closes a run whose queue state is lost and starts the next fire afresh', async () => {
    const { actor } = await k.ownerWithTasks(['t']);
    const s = await k.f.catalog.schedules.create(actor.id, settings());
    const r = k.record();
    await fireScheduleRun(r.deps, fire(s, 'a'));
    const lost = k.record({ inspectRun: async () => ({ state: 'gone' }) });
    expect(await fireScheduleRun(lost.deps, fire(s, 'b'))).toBe('fanned-out');
    const runs = (await k.f.catalog.schedules.listRuns(s.id)).results;
    expect(runs.map((x) => [x.fire_key, x.status])).toEqual([
      ['b', 'running'],
      ['a', 'failed'],
    ]);
    expect(lost.events.map((e) => e.type)).toEqual(['schedule_run:failed']);
    // Its queued export left nothing: it is reported as gone, and the stale parent job is removed.
    const closed = runs[1]!;
    expect(closed).toMatchObject({ failed: 1, done: 0 });
    expect(closed.failures.map((x) => x.code)).toEqual(['SCHEDULE_EXPORT_GONE']);
    expect(lost.dropped).toEqual([closed.id]);
  });

  it('finishes: counts, keeps the newest per task, spares a task that failed, publishes once', async () => {
    const { actor, tasks } = await k.ownerWithTasks(['a', 'b']);
    const [a, b] = tasks as [number, number];
    const s = await k.f.catalog.schedules.create(
      actor.id,
      settings({ skip_unchanged: false, retention: { keep_last: 1 } }),
    );
    const r = k.record();
    const updated = new Date('2026-01-01T00:00:00Z');
    // Run 1: both tasks exported.
    await fireScheduleRun(r.deps, fire(s, 'r1', { fireDate: new Date('2026-01-01T01:00:00Z') }));
    const first = await Promise.all(r.fanOuts[0]!.map((p) => k.exported(p, updated)));
    await finishScheduleRun(r.deps, { scheduleId: s.id, runId: first[0]!.run_id, childFailures: [] });
    // Run 2: a exported again, b failed.
    await fireScheduleRun(r.deps, fire(s, 'r2', { fireDate: new Date('2026-01-01T02:00:00Z') }));
    const second = r.fanOuts[1]!;
    const again = await k.exported(second.find((p) => p.targetId === a)!, updated);
    await finishScheduleRun(r.deps, {
      scheduleId: s.id,
      runId: again.run_id,
      childFailures: [{ target: 'task', id: b, reason: 'BACKUP_CLOUD_STORAGE_NOT_FOUND: storage 7 is gone' }],
    });
    const run = await k.f.catalog.schedules.getRun(s.id, again.run_id);
    expect(run).toMatchObject({ status: 'failed', done: 1, failed: 1, total: 2 });
    expect(run?.failures).toEqual([
      { target: 'task', id: b, code: 'BACKUP_CLOUD_STORAGE_NOT_FOUND', message: 'storage 7 is gone' },
    ]);
    const kept = (await k.f.catalog.schedules.listArchives(s.id, { pageSize: 'all' })).results;
    expect(kept.map((x) => [x.target_id, x.run_id]).sort()).toEqual(
      [
        [a, again.run_id],
        [b, first[0]!.run_id],
      ].sort(),
    );
    const oldA = first.find((x) => x.target_id === a)!;
    expect(await k.archives.head(oldA.key)).toBeUndefined();
    expect(await k.archives.head(again.key)).toBeDefined();

    // A repeated finish changes nothing and publishes the same event id.
    await finishScheduleRun(r.deps, { scheduleId: s.id, runId: again.run_id, childFailures: [] });
    expect((await k.f.catalog.schedules.getRun(s.id, again.run_id))?.failed).toBe(1);
    const ids = r.events.map((e) => e.eventId);
    expect(ids).toEqual([
      `schedule-${s.id}-run-${first[0]!.run_id}-finished`,
      `schedule-${s.id}-run-${again.run_id}-failed`,
      `schedule-${s.id}-run-${again.run_id}-failed`,
    ]);
    expect(r.events[1]).toMatchObject({
      type: 'schedule_run:failed',
      userId: actor.id,
      scheduleId: s.id,
      payload: { id: again.run_id, status: 'failed', done: 1, failed: 1 },
    });
  });

  it('skips unchanged tasks and tasks without data, and ends a run with nothing to do at once', async () => {
    const { actor, tasks } = await k.ownerWithTasks(['x']);
    await k.f.catalog.tasks.create(actor, { name: 'no data', labels: [{ name: 'car' }] });
    const s = await k.f.catalog.schedules.create(actor.id, settings());
    const r = k.record();
    await fireScheduleRun(r.deps, fire(s, 'one'));
    expect(r.fanOuts[0]!.map((p) => p.targetId)).toEqual(tasks);
    const task = await k.f.catalog.tasks.get(actor, tasks[0]!);
    const made = await k.exported(r.fanOuts[0]![0]!, task!.updated_date);
    await finishScheduleRun(r.deps, { scheduleId: s.id, runId: made.run_id, childFailures: [] });
    expect(await fireScheduleRun(r.deps, fire(s, 'two'))).toBe('finished');
    expect(r.fanOuts).toHaveLength(1);
    const latest = (await k.f.catalog.schedules.listRuns(s.id)).results[0];
    expect(latest).toMatchObject({ fire_key: 'two', status: 'finished', total: 2, skipped: 2, done: 0 });
  });

  it('reports a listed project that is gone and a target cloud storage that is gone', async () => {
    const { actor } = await k.ownerWithTasks([]);
    const project = await k.f.catalog.projects.create(actor, { name: 'p', labels: [{ name: 'car' }] });
    const gone = await k.f.catalog.projects.create(actor, { name: 'gone', labels: [{ name: 'car' }] });
    const storage = await k.f.catalog.cloudStorages.create(actor, {
      provider_type: 'AWS_S3_BUCKET',
      resource: 'bucket',
      display_name: 'b',
      credentials_type: 'ANONYMOUS_ACCESS',
    });
    const s = await k.f.catalog.schedules.create(
      actor.id,
      settings({
        scope: { type: 'projects', project_ids: [project.id, gone.id] },
        target_storage: { location: 'cloud_storage', cloud_storage_id: storage.id },
      }),
    );
    await k.f.catalog.projects.delete(actor, gone.id);
    await k.f.catalog.cloudStorages.delete(actor, storage.id);
    const r = k.record();
    expect(await fireScheduleRun(r.deps, fire(s, 'x'))).toBe('finished');
    const run = (await k.f.catalog.schedules.listRuns(s.id)).results[0];
    expect(run).toMatchObject({ status: 'failed', total: 2, failed: 2, done: 0 });
    expect(run?.failures.map((x) => [x.id, x.code])).toEqual([
      [gone.id, 'SCHEDULE_RESOURCE_MISSING'],
      [project.id, 'SCHEDULE_CLOUD_STORAGE_NOT_FOUND'],
    ]);
  });

  it('tells the caller a scheduler is orphaned; a manual run of a disabled schedule still runs', async () => {
    const { actor } = await k.ownerWithTasks(['t']);
    const s = await k.f.catalog.schedules.create(actor.id, settings({ enabled: false }));
    const r = k.record();
    expect(await fireScheduleRun(r.deps, fire(s, 'x'))).toBe('orphan');
    expect(await fireScheduleRun(r.deps, fire({ ...s, id: 2_000_000 }, 'y'))).toBe('orphan');
    const started = await k.f.catalog.schedules.startRun({
      scheduleId: s.id,
      trigger: 'manual',
      fireKey: 'manual-1',
      fireDate: new Date(),
    });
    if (started.kind === 'busy') throw new Error('busy');
    expect(
      await fireScheduleRun(r.deps, fire(s, 'manual-1', { trigger: 'manual', runId: started.run.id })),
    ).toBe('fanned-out');
  });

  it('deletes the archive of an export whose schedule was deleted meanwhile, instead of recording it', async () => {
    const { actor } = await k.ownerWithTasks(['t']);
    const s = await k.f.catalog.schedules.create(actor.id, settings());
    const r = k.record();
    await fireScheduleRun(r.deps, fire(s, 'x'));
    const payload = r.fanOuts[0]![0]!;
    const key = `schedules/${s.id}/run-${payload.schedule!.runId}/${payload.filename}`;
    const write = k.archives.openWrite(key);
    write.end('zip');
    await write.commit();
    expect(await k.f.catalog.schedules.delete(actor, s.id)).toBe(true);
    const outcome = {
      location: 'local' as const,
      cloudStorageId: null,
      key,
      filename: payload.filename!,
      size: 3,
      resourceUpdatedDate: new Date().toISOString(),
      lightweight: false,
      reused: false,
    };
    await recordScheduledArchive(k.f.catalog, payload, outcome, async () => k.archives);
    expect(await k.archives.head(key)).toBeUndefined();
  });
});
