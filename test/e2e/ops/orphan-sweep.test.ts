/**
 * What a crash or a failed restore leaves locally is swept by a real worker process: media of a restore
 * that never committed (unless its job is still in the import queue, or its files are recent), scheduled
 * archives no row records (unless their run is still running), and the empty folders deletions leave.
 */
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { importMediaPrefix, scheduledLocalKey } from '@cvat-backup/backup';
import { importRequestId } from '@cvat-backup/queue';
import { beforeAll, describe, expect, it } from 'vitest';
import { scheduleSettings, startedRun } from '../../../packages/backup/test/schedule-fixture.js';
import { useWorkerHarness } from '../backup/worker-harness.js';

const HOUR = 3600_000;
const OLD = 3 * HOUR;

describe('the worker sweeps orphan media, unrecorded scheduled archives and empty folders', () => {
  const harness = useWorkerHarness({ SWEEP_INTERVAL_SECONDS: '1', ORPHAN_GRACE_SECONDS: '3600' });
  // Everything is laid out before the first sweep can run.
  beforeAll(() => harness().worker.stop());

  const dir = (area: 'media' | 'archives') => path.join(harness().dataRoot, area);
  const entries = async (area: 'media' | 'archives') =>
    (await readdir(dir(area), { recursive: true, withFileTypes: true }))
      .map((e) => path.relative(dir(area), path.join(e.parentPath, e.name)) + (e.isDirectory() ? '/' : ''))
      .sort();

  async function writeAged(area: 'media' | 'archives', key: string, ageMs: number): Promise<void> {
    const file = path.join(dir(area), key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, key);
    await age(area, key, ageMs);
  }
  async function age(area: 'media' | 'archives', key: string, ageMs: number): Promise<void> {
    const when = new Date(Date.now() - ageMs);
    await utimes(path.join(dir(area), key), when, when);
  }

  it('deletes what nothing references once old, and keeps what is referenced, queued, running or recent', async () => {
    const h = harness();
    const { catalog, actor } = h.fx;

    // Media: a restore that failed for good, a committed one, a project restore still queued, a recent one.
    const failed = importMediaPrefix('rq-failed-for-good#');
    const restored = importMediaPrefix('rq-committed#');
    const queuedId = importRequestId('project');
    const queued = importMediaPrefix(`${queuedId}#task_1/`);
    const recent = importMediaPrefix('rq-still-copying#');
    const task = await catalog.tasks.create(actor, { name: 'restored', labels: [{ name: 'car' }] });
    await catalog.data.create(task.id, { image_quality: 70, storage: 'local', media_prefix: restored });
    for (const prefix of [failed, restored, queued]) await writeAged('media', `${prefix}a/b.jpg`, OLD);
    await writeAged('media', `${recent}b.jpg`, 0);
    await h.producer.imports.add(
      'import:project',
      {
        version: 1,
        target: 'project',
        userId: actor.id,
        source: { kind: 'staged', key: 'never-there.zip' },
        requestedAt: new Date().toISOString(),
      },
      { jobId: queuedId, delay: 10 * HOUR },
    );
    // The empty folders a deleted task's upload left.
    await mkdir(path.join(dir('media'), 'tasks/424242/0a1b2c'), { recursive: true });
    await age('media', 'tasks/424242/0a1b2c', OLD);
    await age('media', 'tasks/424242', OLD);

    // Archives: a run that ended with a recorded archive and a lost one, a running run's unrecorded
    // file, the emptied folder of a pruned run, and the folders of a schedule whose rows are gone.
    const schedule = await catalog.schedules.create(actor.id, scheduleSettings());
    const ended = await startedRun(catalog, schedule.id, 'f1');
    await catalog.schedules.endRun(ended.id, { status: 'finished', done: 1, failures: [] });
    const kept = scheduledLocalKey(schedule.id, ended.id, 'kept.zip');
    const lost = scheduledLocalKey(schedule.id, ended.id, 'lost.zip');
    await writeAged('archives', kept, OLD);
    await writeAged('archives', lost, OLD);
    await catalog.schedules.recordArchive({
      schedule_id: schedule.id,
      run_id: ended.id,
      target: 'task',
      target_id: task.id,
      location: 'local',
      cloud_storage_id: null,
      key: kept,
      filename: 'kept.zip',
      size: 3,
      lightweight: false,
      lightweight_requested: false,
      resource_updated_date: new Date(),
    });
    const running = await startedRun(catalog, schedule.id, 'f2');
    const pending = scheduledLocalKey(schedule.id, running.id, 'pending.zip');
    await writeAged('archives', pending, OLD);
    for (const folder of [`schedules/${schedule.id}/run-999999`, 'schedules/888888/run-7']) {
      await mkdir(path.join(dir('archives'), folder), { recursive: true });
      await age('archives', folder, OLD);
    }
    await age('archives', 'schedules/888888', OLD);
    await age('archives', `schedules/${schedule.id}`, OLD);

    await h.worker.start();
    const deadline = Date.now() + 30_000;
    while (!/"unrecordedArchives":1\b/.test(h.worker.output)) {
      if (Date.now() > deadline) throw new Error(`no sweep deleted the lost archive:\n${h.worker.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await h.worker.stop();

    const folders = (prefix: string) => {
      const parts = prefix.split('/').filter(Boolean);
      return parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
    };
    expect(await entries('media')).toEqual(
      [
        'imports/',
        'tasks/',
        ...[restored, queued].flatMap((p) => [...folders(p).slice(1), `${p}a/`, `${p}a/b.jpg`]),
        ...folders(recent).slice(1),
        `${recent}b.jpg`,
      ].sort(),
    );
    expect(await entries('archives')).toEqual(
      [
        'schedules/',
        `schedules/${schedule.id}/`,
        `schedules/${schedule.id}/run-${ended.id}/`,
        kept,
        `schedules/${schedule.id}/run-${running.id}/`,
        pending,
      ].sort(),
    );
    // One line per sweep, with its counts (and no file names).
    const line = h.worker.output.split('\n').find((l) => l.includes('"unrecordedArchives":1'))!;
    expect(JSON.parse(line)).toMatchObject({ msg: 'sweep done', orphanFolders: 1, orphanFiles: 1 });
    expect(line).not.toContain('lost.zip');
  });
});
