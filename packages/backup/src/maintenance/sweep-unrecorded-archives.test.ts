import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleSettings, startedRun, useScheduleFixture } from '../../test/schedule-fixture.js';
import { scheduledLocalKey } from '../schedules/schedule-run-deps.js';
import { sweepUnrecordedArchives } from './sweep-unrecorded-archives.js';

const HOUR = 3600_000;
const GRACE = 24 * HOUR;

describe('sweepUnrecordedArchives', () => {
  const k = useScheduleFixture();
  let dir: string;
  let archives: LocalDriver;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cvb-unrecorded-'));
    archives = new LocalDriver({ kind: 'local', root: dir });
  });
  afterAll(async () => {
    await archives?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const root = () => dir;

  async function writeAged(key: string, ageMs: number): Promise<void> {
    const file = path.join(root(), key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'zip');
    const when = new Date(Date.now() - ageMs);
    await utimes(file, when, when);
  }

  const files = async () =>
    (await readdir(root(), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(root(), path.join(e.parentPath, e.name)))
      .sort();

  it('deletes old files of ended runs that no row records, and nothing else', async () => {
    const { tasks } = await k.ownerWithTasks(['a']);
    const schedule = await k.f.catalog.schedules.create(k.f.actor.id, scheduleSettings());
    const ended = await startedRun(k.f.catalog, schedule.id, 'f1');
    await k.f.catalog.schedules.endRun(ended.id, { status: 'finished', done: 1, failures: [] });
    const recorded = scheduledLocalKey(schedule.id, ended.id, 'a.zip');
    await writeAged(recorded, 2 * GRACE);
    await k.f.catalog.schedules.recordArchive({
      schedule_id: schedule.id,
      run_id: ended.id,
      target: 'task',
      target_id: tasks[0]!,
      location: 'local',
      cloud_storage_id: null,
      key: recorded,
      filename: 'a.zip',
      size: 3,
      lightweight: false,
      lightweight_requested: false,
      resource_updated_date: new Date(),
    });
    // A worker died between committing these files and recording their rows.
    const lost = scheduledLocalKey(schedule.id, ended.id, 'lost.zip');
    const young = scheduledLocalKey(schedule.id, ended.id, 'young.zip');
    await writeAged(lost, 2 * GRACE);
    await writeAged(young, HOUR);
    // An export of a running run has committed its file and is about to record it.
    const running = await startedRun(k.f.catalog, schedule.id, 'f2');
    const pending = scheduledLocalKey(schedule.id, running.id, 'pending.zip');
    await writeAged(pending, 2 * GRACE);
    // A schedule whose rows a deletion cascaded away.
    const cascaded = scheduledLocalKey(987654, 123456, 'gone.zip');
    await writeAged(cascaded, 2 * GRACE);
    // Not a run's file: not this sweep's business.
    await writeAged(`schedules/${schedule.id}/loose.zip`, 2 * GRACE);

    const deleted = await sweepUnrecordedArchives({
      archives,
      schedules: k.f.catalog.schedules,
      graceMs: GRACE,
    });

    expect(deleted).toBe(2);
    expect(await files()).toEqual([recorded, young, pending, `schedules/${schedule.id}/loose.zip`].sort());

    // Once the run ended, its unrecorded file goes as well.
    await k.f.catalog.schedules.endRun(running.id, { status: 'failed', done: 0, failures: [] });
    expect(
      await sweepUnrecordedArchives({ archives, schedules: k.f.catalog.schedules, graceMs: GRACE }),
    ).toBe(1);
    expect(await files()).not.toContain(pending);
  });
});
