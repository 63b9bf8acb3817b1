/**
 * Gaps of scheduled backups closed, with real worker processes on a real Redis and PostgreSQL: an
 * export removed from the queue by hand (as from the dashboard) fails its run with a coded reason
 * and leaves the schedule free; a run whose parent job was removed, or whose export's key was deleted
 * in Redis (the parent would wait forever), is settled by the worker's repair;
 * skip_unchanged makes a new archive after the lightweight setting changed; deleting a schedule keeps
 * its archives listed and downloadable, and deleting it with its archives removes the files.
 */
import path from 'node:path';
import { QUEUE_NAMES, runExportJobId, runFinishJobId } from '@cvat-backup/queue';
import { testServices } from '@cvat-backup/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpUser } from '../backup-http/backup-api.js';
import { createLocalTask, json } from '../backup-http/task-backup.js';
import {
  filesUnder,
  openScheduleE2e,
  runEnded,
  runNow as runNowAs,
  type ScheduleE2e,
  startRun,
  waitFor,
} from './schedule-e2e.js';

const BASE = '/api/backup-schedules';

describe('scheduled backups: removed jobs, options, deletion', () => {
  let e2e: ScheduleE2e;
  let alice: HttpUser;
  let tasks: number[];
  let archivesRoot: string;
  let exportQueue: Queue;
  let scheduleQueue: Queue;

  beforeAll(async () => {
    e2e = await openScheduleE2e();
    alice = await e2e.user();
    tasks = [await createLocalTask(alice, 'one'), await createLocalTask(alice, 'two')];
    archivesRoot = path.join(e2e.api.dataRoot, 'archives');
    const queueOptions = {
      connection: e2e.api.services.schedules!.queue.opts.connection,
      prefix: e2e.api.queuePrefix,
    };
    exportQueue = new Queue(QUEUE_NAMES.export, queueOptions);
    scheduleQueue = new Queue(QUEUE_NAMES.schedule, queueOptions);
    await e2e.worker().start();
  }, 180_000);
  afterAll(async () => {
    await exportQueue?.resume();
    await Promise.all([exportQueue?.close(), scheduleQueue?.close()]);
    await e2e?.close();
  }, 60_000);

  const create = async (body: Record<string, unknown> = {}) =>
    (
      await json(
        await alice.call(BASE, {
          method: 'POST',
          json: {
            name: 'gaps',
            cron: '0 0 1 1 *',
            scope: { type: 'tasks_outside_projects' },
            target_storage: { location: 'local' },
            ...body,
          },
        }),
        201,
      )
    ).id as number;
  const start = (id: number) => startRun(alice, id);
  const ended = (id: number, runId: number) => runEnded(alice, id, runId);
  const runNow = (id: number) => runNowAs(alice, id);
  /** Starts a run with the export queue paused, so its exports wait; returns once they are queued. */
  const startHeld = async (id: number) => {
    await exportQueue.pause();
    const runId = await start(id);
    await waitFor('the exports queued', async () =>
      (await exportQueue.getJob(runExportJobId(id, runId, 'task', tasks[1]!))) ? true : undefined,
    );
    return runId;
  };

  it('an export removed by hand fails its run with SCHEDULE_EXPORT_GONE; the next run goes', async () => {
    const id = await create({ skip_unchanged: false });
    const runId = await startHeld(id);
    const removed = await exportQueue.getJob(runExportJobId(id, runId, 'task', tasks[0]!));
    await removed!.remove();
    await exportQueue.resume();
    const run = await ended(id, runId);
    expect(run).toMatchObject({ status: 'failed', total: 2, done: 1, failed: 1 });
    expect(run.failures).toEqual([
      expect.objectContaining({ target: 'task', id: tasks[0], code: 'SCHEDULE_EXPORT_GONE' }),
    ]);
    expect(await runNow(id)).toMatchObject({ status: 'finished', done: 2, failed: 0 });
  }, 300_000);

  it("a run whose parent job was removed blocks nothing once a worker's repair settled it", async () => {
    const id = await create({ skip_unchanged: false });
    const runId = await startHeld(id);
    // Removing the parent (as the dashboard does) takes its waiting exports with it.
    await (await scheduleQueue.getJob(runFinishJobId(id, runId)))!.remove();
    await exportQueue.resume();
    const busy = await alice.call(`${BASE}/${id}/run`, { method: 'POST' });
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { code: string }).code).toBe('SCHEDULE_RUN_IN_PROGRESS');
    // A worker repairs at start (then once a minute).
    await e2e.worker().start();
    const run = await ended(id, runId);
    expect(run).toMatchObject({ status: 'failed', done: 0, failed: 2 });
    expect(run.failures.map((f) => f.code)).toEqual(['SCHEDULE_EXPORT_GONE', 'SCHEDULE_EXPORT_GONE']);
    expect(await runNow(id)).toMatchObject({ status: 'finished', done: 2 });
  }, 300_000);

  it('a run waiting for an export whose Redis key was deleted is settled by the repair', async () => {
    const id = await create({ skip_unchanged: false });
    const runId = await startHeld(id);
    const jobId = runExportJobId(id, runId, 'task', tasks[0]!);
    // Behind BullMQ's back: the job's hash and its place in the wait list go, the parent still counts it.
    const redis = new Redis(testServices().redisUrl);
    try {
      await redis.del(`${e2e.api.queuePrefix}:${QUEUE_NAMES.export}:${jobId}`);
      await redis.lrem(`${e2e.api.queuePrefix}:${QUEUE_NAMES.export}:wait`, 0, jobId);
    } finally {
      redis.disconnect();
    }
    await exportQueue.resume();
    await waitFor('the other export done', async () => {
      const other = await exportQueue.getJob(runExportJobId(id, runId, 'task', tasks[1]!));
      return other && (await other.getState()) === 'completed' ? true : undefined;
    });
    const parent = await scheduleQueue.getJob(runFinishJobId(id, runId));
    expect(await parent!.getState()).toBe('waiting-children');
    await e2e.worker().start();
    const run = await ended(id, runId);
    expect(run).toMatchObject({ status: 'failed', done: 1, failed: 1 });
    expect(run.failures).toEqual([
      expect.objectContaining({ target: 'task', id: tasks[0], code: 'SCHEDULE_EXPORT_GONE' }),
    ]);
    // The repair ends the run first and removes the stale parent job after (so a crash in between
    // keeps the parent's failure reasons for the next pass): the removal may trail the run's end.
    await waitFor('the stale parent job removed', async () =>
      (await scheduleQueue.getJob(runFinishJobId(id, runId))) ? undefined : true,
    );
    expect(await runNow(id)).toMatchObject({ status: 'finished', done: 2 });
  }, 300_000);

  it('skip_unchanged makes a new archive once the lightweight setting changed', async () => {
    const id = await create({ lightweight: true });
    expect(await runNow(id)).toMatchObject({ status: 'finished', done: 2, skipped: 0 });
    expect(await runNow(id)).toMatchObject({ status: 'finished', done: 0, skipped: 2 });
    await json(await alice.call(`${BASE}/${id}`, { method: 'PATCH', json: { lightweight: false } }), 200);
    expect(await runNow(id)).toMatchObject({ status: 'finished', done: 2, skipped: 0 });
    expect(await runNow(id)).toMatchObject({ status: 'finished', done: 0, skipped: 2 });
  }, 300_000);

  it('deleting keeps the archives listed and downloadable; deleting with archives removes the files', async () => {
    const id = await create();
    expect(await runNow(id)).toMatchObject({ status: 'finished', done: 2 });
    const own = path.join(archivesRoot, 'schedules', String(id));
    const files = await filesUnder(own);
    expect(files).toHaveLength(2);
    const url = `${BASE}/${id}`;
    expect((await alice.call(url, { method: 'DELETE' })).status).toBe(204);
    expect(await json(await alice.call(url), 200)).toMatchObject({ state: 'retired', next_run_date: null });
    const archives = (await json(await alice.call(`${url}/archives`), 200)).results as Array<{ id: number }>;
    expect(archives).toHaveLength(2);
    const download = await alice.call(`${url}/archives/${archives[0]!.id}/download`);
    expect(download.status).toBe(200);
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect(await filesUnder(own)).toEqual(files);

    const purge = await alice.call(`${url}?delete_archives=true`, { method: 'DELETE' });
    expect(purge.status).toBe(202);
    await waitFor('the schedule gone', async () =>
      (await alice.call(url)).status === 404 ? true : undefined,
    );
    expect(await filesUnder(own)).toEqual([]);
  }, 300_000);
});
