import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCatalog, seedOwnerOtherAdmin, type TestCatalog } from '../../test/catalog-fixture.js';
import type { Actor } from '../repositories/common.types.js';
import type { NewScheduleArchive, ScheduleSettings } from '../repositories/schedule.repository.js';

let t: TestCatalog;
let owner: Actor;
let other: Actor;
let admin: Actor;
beforeAll(async () => {
  t = await openTestCatalog();
  [owner, other, admin] = await seedOwnerOtherAdmin(t.catalog);
});
afterAll(async () => {
  await t.close();
});

const settings = (over: Partial<ScheduleSettings> = {}): ScheduleSettings => ({
  name: 'nightly',
  cron: '0 3 * * *',
  timezone: 'Europe/Paris',
  every_seconds: null,
  scope: { type: 'all_projects' },
  target_storage: { location: 'local' },
  lightweight: true,
  name_template: '{{target}}_{{name}}_backup_{{date}}',
  retention: { keep_last: 3 },
  skip_unchanged: true,
  enabled: true,
  ...over,
});

const archive = (over: Partial<NewScheduleArchive> & { schedule_id: number; run_id: number }) => ({
  target: 'task' as const,
  target_id: 1,
  location: 'local' as const,
  cloud_storage_id: null,
  key: `schedules/${over.schedule_id}/run-${over.run_id}/a.zip`,
  filename: 'a.zip',
  size: 10,
  lightweight: false,
  lightweight_requested: true,
  resource_updated_date: new Date('2026-01-01T00:00:00Z'),
  ...over,
});

describe('backup schedules', () => {
  it('creates, reads, lists and updates a schedule for its owner and admins only', async () => {
    const created = await t.catalog.schedules.create(owner.id, settings());
    expect(created).toMatchObject({
      owner: { id: owner.id },
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
      retention: { keep_last: 3 },
      scope: { type: 'all_projects' },
    });
    expect(await t.catalog.schedules.get(other, created.id)).toBeNull();
    expect((await t.catalog.schedules.get(admin, created.id))?.id).toBe(created.id);
    expect((await t.catalog.schedules.list(other)).count).toBe(0);
    expect((await t.catalog.schedules.list(owner)).results.map((s) => s.id)).toContain(created.id);

    expect(await t.catalog.schedules.update(other, created.id, { name: 'x' })).toBeNull();
    const updated = await t.catalog.schedules.update(owner, created.id, {
      cron: null,
      every_seconds: 60,
      retention: { max_age_days: 1.5 },
      target_storage: { location: 'cloud_storage', cloud_storage_id: 7 },
      enabled: false,
    });
    expect(updated).toMatchObject({
      cron: null,
      every_seconds: 60,
      retention: { max_age_days: 1.5 },
      target_storage: { location: 'cloud_storage', cloud_storage_id: 7 },
      enabled: false,
    });
    expect((await t.catalog.schedules.listEnabled()).map((s) => s.id)).not.toContain(created.id);
    expect(await t.catalog.schedules.delete(other, created.id)).toBe(false);
    expect(await t.catalog.schedules.delete(owner, created.id)).toBe(true);
    expect(await t.catalog.schedules.find(created.id)).toBeNull();
  });

  it('refuses a schedule with both or neither cadence', async () => {
    await expect(t.catalog.schedules.create(owner.id, settings({ every_seconds: 5 }))).rejects.toThrow();
    await expect(t.catalog.schedules.create(owner.id, settings({ cron: null }))).rejects.toThrow();
  });

  it('makes one run per fire key and at most one running run per schedule', async () => {
    const s = await t.catalog.schedules.create(owner.id, settings());
    const fire = { scheduleId: s.id, trigger: 'schedule' as const, fireKey: 'f1', fireDate: new Date() };
    const first = await t.catalog.schedules.startRun(fire);
    expect(first.kind).toBe('started');
    const again = await t.catalog.schedules.startRun(fire);
    expect(again).toMatchObject({ kind: 'existing', run: { id: first.kind !== 'busy' && first.run.id } });
    const busy = await t.catalog.schedules.startRun({ ...fire, fireKey: 'f2' });
    expect(busy.kind).toBe('busy');
    if (first.kind === 'busy') throw new Error('unexpected');

    const failure = { target: 'project' as const, id: 9, code: 'SCHEDULE_RESOURCE_MISSING', message: 'gone' };
    const planned = [{ target: 'project' as const, id: 11 }];
    const fanned = await t.catalog.schedules.markFannedOut(first.run.id, {
      total: 3,
      skipped: 1,
      failures: [failure],
      planned,
    });
    expect(fanned.planned).toEqual(planned);
    expect((await t.catalog.schedules.runningRuns()).map((r) => r.id)).toContain(first.run.id);
    const ended = await t.catalog.schedules.endRun(first.run.id, {
      status: 'failed',
      done: 1,
      failures: [{ ...failure, id: 10 }],
    });
    expect(ended).toMatchObject({
      status: 'failed',
      total: 3,
      done: 1,
      skipped: 1,
      failed: 2,
      fanned_out: true,
    });
    expect(ended.finished_date).toBeInstanceOf(Date);
    // A repeated end changes nothing.
    const repeated = await t.catalog.schedules.endRun(first.run.id, {
      status: 'finished',
      done: 5,
      failures: [],
    });
    expect(repeated).toMatchObject({ status: 'failed', done: 1, failed: 2 });

    const next = await t.catalog.schedules.startRun({ ...fire, fireKey: 'f2' });
    expect(next.kind).toBe('started');
    const runs = await t.catalog.schedules.listRuns(s.id, { pageSize: 1 });
    expect(runs.count).toBe(2);
    expect(runs.results[0]?.fire_key).toBe('f2');
  });

  it('records archives idempotently, lists them per resource newest first and prunes unreferenced runs', async () => {
    const s = await t.catalog.schedules.create(owner.id, settings());
    const runIds: number[] = [];
    for (const key of ['a', 'b', 'c']) {
      const started = await t.catalog.schedules.startRun({
        scheduleId: s.id,
        trigger: 'manual',
        fireKey: key,
        fireDate: new Date(),
      });
      if (started.kind === 'busy') throw new Error('busy');
      runIds.push(started.run.id);
      await t.catalog.schedules.endRun(started.run.id, { status: 'finished', done: 1, failures: [] });
    }
    const [r1, r2, r3] = runIds as [number, number, number];
    const a1 = await t.catalog.schedules.recordArchive(archive({ schedule_id: s.id, run_id: r1 }));
    const again = await t.catalog.schedules.recordArchive(
      archive({ schedule_id: s.id, run_id: r1, size: 99 }),
    );
    expect(again.id).toBe(a1.id);
    expect(again.size).toBe(99);
    expect(again).toMatchObject({ lightweight: false, lightweight_requested: true, deleting: false });
    await t.catalog.schedules.recordArchive(archive({ schedule_id: s.id, run_id: r3 }));
    await t.catalog.schedules.recordArchive(archive({ schedule_id: s.id, run_id: r3, target_id: 2 }));

    const list = await t.catalog.schedules.resourceArchives(s.id, [{ target: 'task', id: 1 }]);
    expect(list.map((a) => a.run_id)).toEqual([r3, r1]);
    expect((await t.catalog.schedules.listArchives(s.id)).count).toBe(3);
    expect((await t.catalog.schedules.runArchives(r3)).length).toBe(2);
    // Two rows of one run share no key; a row whose key another row also names is shared.
    expect(await t.catalog.schedules.objectShared(a1)).toBe(false);
    await t.catalog.schedules.recordArchive(archive({ schedule_id: s.id, run_id: r2, key: a1.key }));
    expect(await t.catalog.schedules.objectShared(a1)).toBe(true);

    // Keeping one run: r1 and r2 have archives, so nothing older goes.
    expect(await t.catalog.schedules.pruneRuns(s.id, 1)).toBe(0);
    expect(await t.catalog.schedules.deleteArchive(s.id, a1.id)).toBe(true);
    expect(await t.catalog.schedules.deleteArchive(other.id, a1.id)).toBe(false);
    expect(await t.catalog.schedules.getArchive(s.id, a1.id)).toBeNull();
    // r1 lost its last archive: it goes; r2 still holds one, r3 is the newest.
    expect(await t.catalog.schedules.pruneRuns(s.id, 1)).toBe(1);
    expect(await t.catalog.schedules.getRun(s.id, r1)).toBeNull();
    expect(await t.catalog.schedules.getRun(s.id, r2)).not.toBeNull();
  });

  it('reads the scope as the owner: own projects, listed visible projects, own tasks outside projects', async () => {
    const mine = await t.catalog.projects.create(owner, { name: 'mine', labels: [{ name: 'car' }] });
    const theirs = await t.catalog.projects.create(other, { name: 'theirs', labels: [{ name: 'car' }] });
    const loose = await t.catalog.tasks.create(owner, { name: 'loose', labels: [{ name: 'car' }] });
    await t.catalog.data.create(loose.id, { image_quality: 70, size: 1 });
    const empty = await t.catalog.tasks.create(owner, { name: 'empty', labels: [{ name: 'car' }] });
    await t.catalog.tasks.create(owner, { name: 'inside', project_id: mine.id });
    const owned = {
      owner: { id: owner.id, username: '', first_name: '', last_name: '' },
      owner_is_admin: false,
    };

    const all = await t.catalog.schedules.scopeResources({ ...owned, scope: { type: 'all_projects' } });
    expect(all.map((r) => [r.target, r.id])).toEqual([['project', mine.id]]);
    const listed = await t.catalog.schedules.scopeResources({
      ...owned,
      scope: { type: 'projects', project_ids: [mine.id, theirs.id] },
    });
    expect(listed.map((r) => r.id)).toEqual([mine.id]);
    const asAdmin = await t.catalog.schedules.scopeResources({
      owner: { ...owned.owner, id: admin.id },
      owner_is_admin: true,
      scope: { type: 'projects', project_ids: [mine.id, theirs.id] },
    });
    expect(asAdmin.map((r) => r.id)).toEqual([mine.id, theirs.id]);
    const tasks = await t.catalog.schedules.scopeResources({
      ...owned,
      scope: { type: 'tasks_outside_projects' },
    });
    expect(tasks.map((r) => [r.id, r.has_data])).toEqual([
      [loose.id, true],
      [empty.id, false],
    ]);
    expect(tasks[0]?.updated_date).toBeInstanceOf(Date);
  });
});

describe('deleting a schedule', () => {
  const run = async (scheduleId: number, fireKey: string, end = true) => {
    const started = await t.catalog.schedules.startRun({
      scheduleId,
      trigger: 'manual',
      fireKey,
      fireDate: new Date(),
    });
    if (started.kind === 'busy') throw new Error('busy');
    if (end) await t.catalog.schedules.endRun(started.run.id, { status: 'finished', done: 1, failures: [] });
    return started.run.id;
  };

  it('removes a schedule with nothing to keep, and retires one with archives or a running run', async () => {
    const empty = await t.catalog.schedules.create(owner.id, settings());
    expect(await t.catalog.schedules.retire(other, empty.id)).toBeNull();
    expect(await t.catalog.schedules.retire(owner, empty.id)).toBe('deleted');
    expect(await t.catalog.schedules.find(empty.id)).toBeNull();

    const kept = await t.catalog.schedules.create(owner.id, settings());
    await t.catalog.schedules.recordArchive(
      archive({ schedule_id: kept.id, run_id: await run(kept.id, 'k') }),
    );
    const busy = await t.catalog.schedules.create(owner.id, settings());
    await run(busy.id, 'b', false);
    for (const s of [kept, busy]) {
      expect(await t.catalog.schedules.retire(owner, s.id)).toBe('retired');
      const retired = await t.catalog.schedules.find(s.id);
      expect(retired).toMatchObject({ state: 'retired', enabled: false });
      expect(retired?.retired_date).toBeInstanceOf(Date);
      // Retired for good: a second delete keeps it, an update does not touch it.
      expect(await t.catalog.schedules.retire(owner, s.id)).toBe('retired');
      expect(await t.catalog.schedules.update(owner, s.id, { enabled: true })).toMatchObject({
        state: 'retired',
        enabled: false,
      });
    }
    // The running run ended without an archive: deleting the retired schedule again removes it.
    const running = await t.catalog.schedules.runningRun(busy.id);
    await t.catalog.schedules.endRun(running!.id, { status: 'failed', done: 0, failures: [] });
    expect(await t.catalog.schedules.retire(owner, busy.id)).toBe('deleted');
    expect(await t.catalog.schedules.find(busy.id)).toBeNull();
    expect((await t.catalog.schedules.listEnabled()).map((s) => s.id)).not.toContain(kept.id);
    expect((await t.catalog.schedules.listArchives(kept.id)).count).toBe(1);
    const retiredOnly = await t.catalog.schedules.list(owner, {
      filters: { state: 'retired' },
      pageSize: 'all',
    });
    expect(retiredOnly.results.map((s) => s.id)).toContain(kept.id);
    expect(retiredOnly.results.every((s) => s.state === 'retired')).toBe(true);
  });

  it('deletes with archives in steps: marked, rows removed, then the schedule once none is left', async () => {
    const s = await t.catalog.schedules.create(owner.id, settings());
    const other_ = await t.catalog.schedules.create(owner.id, settings());
    const r = await run(s.id, 'x');
    const a = await t.catalog.schedules.recordArchive(archive({ schedule_id: s.id, run_id: r }));
    const b = await t.catalog.schedules.recordArchive(
      archive({ schedule_id: s.id, run_id: r, target_id: 2 }),
    );
    // Another schedule's row naming the same object keeps it.
    const shared = await t.catalog.schedules.recordArchive(
      archive({ schedule_id: other_.id, run_id: await run(other_.id, 'y'), key: a.key }),
    );

    expect(await t.catalog.schedules.beginPurge(other, s.id)).toBe(false);
    expect(await t.catalog.schedules.beginPurge(owner, s.id)).toBe(true);
    expect(await t.catalog.schedules.find(s.id)).toMatchObject({ state: 'deleting', enabled: false });
    expect(await t.catalog.schedules.purging()).toContain(s.id);
    const marked = await t.catalog.schedules.archivesToPurge(s.id, 10);
    expect(marked.map((x) => x.id)).toEqual([a.id, b.id]);
    expect(await t.catalog.schedules.objectShared(marked[0]!)).toBe(true);
    // The other schedule's row is not shared with a row on its way out.
    expect(await t.catalog.schedules.objectShared(shared)).toBe(false);
    expect(await t.catalog.schedules.archivesToPurge(other_.id, 10)).toEqual([]);

    // An export of a run still going records its archive already marked.
    const late = await t.catalog.schedules.recordArchive(
      archive({ schedule_id: s.id, run_id: r, target_id: 3 }),
    );
    expect(late.deleting).toBe(true);
    await t.catalog.schedules.deleteArchive(s.id, a.id);
    await t.catalog.schedules.deleteArchive(s.id, b.id);
    expect(await t.catalog.schedules.finishPurge(s.id)).toBe(false);
    await t.catalog.schedules.deleteArchive(s.id, late.id);
    expect(await t.catalog.schedules.finishPurge(s.id)).toBe(true);
    expect(await t.catalog.schedules.find(s.id)).toBeNull();
    expect(await t.catalog.schedules.purging()).not.toContain(s.id);
    // A retired schedule can still be deleted with its archives later.
    expect(await t.catalog.schedules.retire(owner, other_.id)).toBe('retired');
    expect(await t.catalog.schedules.beginPurge(owner, other_.id)).toBe(true);
    expect((await t.catalog.schedules.archivesToPurge(other_.id, 10)).map((x) => x.id)).toEqual([shared.id]);
  });
});
