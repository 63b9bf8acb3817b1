/**
 * A schedule run's exports are requests of their owner like any other: `GET /api/requests` lists
 * them through the per-user request index (the worker indexes a run's exports before fanning out),
 * next to the user's own exports, and never to another user.
 */
import { runExportJobId } from '@cvat-backup/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpUser } from '../backup-http/backup-api.js';
import { createLocalTask, json } from '../backup-http/task-backup.js';
import { openScheduleE2e, type ScheduleE2e, waitFor } from './schedule-e2e.js';

describe('scheduled exports in the requests API', () => {
  let e2e: ScheduleE2e;
  let alice: HttpUser;
  let bob: HttpUser;
  let task: number;

  beforeAll(async () => {
    e2e = await openScheduleE2e();
    alice = await e2e.user();
    bob = await e2e.user();
    task = await createLocalTask(alice, 'nightly');
    await e2e.worker().start();
  }, 180_000);
  afterAll(async () => e2e?.close(), 60_000);

  const listed = async (user: HttpUser) =>
    (await json(await user.call('/api/requests?page_size=all'), 200)).results as Array<{
      id: string;
      status: string;
      operation: { type: string; task_id: number | null };
    }>;

  it('lists a run’s export with the user’s own export, to the owner only', async () => {
    const own = await json(await alice.call(`/api/tasks/${task}/backup/export`, { method: 'POST' }), 202);
    const schedule = await json(
      await alice.call('/api/backup-schedules', {
        method: 'POST',
        json: {
          name: 'yearly',
          cron: '0 0 1 1 *',
          scope: { type: 'tasks_outside_projects' },
          target_storage: { location: 'local' },
        },
      }),
      201,
    );
    const run = await json(
      await alice.call(`/api/backup-schedules/${schedule.id}/run`, { method: 'POST' }),
      202,
    );
    const runExport = runExportJobId(schedule.id as number, run.run_id as number, 'task', task);
    const views = await waitFor('the run’s export, finished', async () => {
      const all = await listed(alice);
      return all.find((v) => v.id === runExport)?.status === 'finished' ? all : undefined;
    });
    expect(views.map((v) => v.id).sort()).toEqual([own.rq_id, runExport].sort());
    expect(views.find((v) => v.id === runExport)?.operation).toMatchObject({
      type: 'export:backup',
      task_id: task,
    });
    expect(await listed(bob)).toEqual([]);
  }, 180_000);
});
