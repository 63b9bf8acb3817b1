/**
 * The done-when of scheduled backups, with real worker processes: a 1-second schedule runs again and
 * again, fans out one export per task, and its retention deletes only its own archives (an on-demand
 * archive and another schedule's archives of the same tasks survive); unchanged tasks are skipped;
 * killing the worker and starting two replicas makes no duplicate run.
 */
import path from 'node:path';
import { QUEUE_NAMES, schedulerId } from '@cvat-backup/queue';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpUser } from '../backup-http/backup-api.js';
import { settled } from '../backup-http/backup-api.js';
import { annotate, createLocalTask, json } from '../backup-http/task-backup.js';
import {
  filesUnder,
  openScheduleE2e,
  type RunView,
  runNow as runNowAs,
  type ScheduleE2e,
  waitFor,
} from './schedule-e2e.js';

interface Archive {
  id: number;
  run_id: number;
  target: string;
  target_id: number;
  filename: string;
}

const BASE = '/api/backup-schedules';

describe('scheduled backups with real workers', () => {
  let e2e: ScheduleE2e;
  let alice: HttpUser;
  let tasks: number[];
  let archivesRoot: string;
  let onDemand: string[];
  let other: number;

  beforeAll(async () => {
    e2e = await openScheduleE2e();
    alice = await e2e.user();
    tasks = [await createLocalTask(alice, 'alpha'), await createLocalTask(alice, 'beta')];
    archivesRoot = path.join(e2e.api.dataRoot, 'archives');
    await e2e.worker().start();
  }, 180_000);
  afterAll(async () => e2e?.close(), 60_000);

  const create = async (body: Record<string, unknown>) =>
    (await json(
      await alice.call(BASE, {
        method: 'POST',
        json: { scope: { type: 'tasks_outside_projects' }, target_storage: { location: 'local' }, ...body },
      }),
      201,
    )) as { id: number; next_run_date: string | null };
  const runs = async (id: number) =>
    (await json(await alice.call(`${BASE}/${id}/runs?page_size=all`), 200)).results as RunView[];
  const archives = async (id: number) =>
    (await json(await alice.call(`${BASE}/${id}/archives?page_size=all`), 200)).results as Archive[];
  const runNow = (id: number) => runNowAs(alice, id);
  const stop = async (id: number) => {
    await json(await alice.call(`${BASE}/${id}`, { method: 'PATCH', json: { enabled: false } }), 200);
    // A run already fired finishes; nothing fires after it.
    await waitFor('no running run', async () =>
      (await runs(id)).some((r) => r.status === 'running') ? undefined : true,
    );
  };

  it('backs up every task on run-now, skips unchanged tasks, and keeps the newest per task', async () => {
    const rq = await json(await alice.call(`/api/tasks/${tasks[0]}/backup/export`, { method: 'POST' }), 202);
    expect((await settled(alice, rq.rq_id as string)).status).toBe('finished');
    onDemand = await filesUnder(archivesRoot);
    expect(onDemand).toHaveLength(1);

    other = (await create({ name: 'yearly', cron: '0 0 1 1 *', retention: { keep_last: 1 } })).id;
    const first = await runNow(other);
    expect(first).toMatchObject({
      trigger: 'manual',
      status: 'finished',
      total: 2,
      done: 2,
      skipped: 0,
      failed: 0,
    });
    const unchanged = await runNow(other);
    expect(unchanged).toMatchObject({ status: 'finished', total: 2, done: 0, skipped: 2 });

    await annotate(alice, tasks[1]!);
    const changed = await runNow(other);
    expect(changed).toMatchObject({ status: 'finished', total: 2, done: 1, skipped: 1 });
    // keep_last 1: beta's first archive went, alpha's only one stays.
    const kept = await archives(other);
    expect(kept.map((a) => [a.target_id, a.run_id]).sort()).toEqual(
      [
        [tasks[0], first.id],
        [tasks[1], changed.id],
      ].sort(),
    );
    expect(await filesUnder(path.join(archivesRoot, 'schedules', String(other)))).toHaveLength(2);

    // Each ended run told the webhook queue once, with the run as the API shows it.
    const webhooks = new Queue(QUEUE_NAMES.webhook, {
      connection: e2e.api.services.schedules!.queue.opts.connection,
      prefix: e2e.api.queuePrefix,
    });
    const event = await webhooks.getJob(`schedule-${other}-run-${changed.id}-finished`);
    await webhooks.close();
    expect(event?.data).toMatchObject({
      type: 'schedule_run:finished',
      userId: alice.id,
      scheduleId: other,
      payload: { id: changed.id, status: 'finished', done: 1, skipped: 1, total: 2 },
    });
    // Scheduled exports do not break the user's request list.
    expect((await alice.call('/api/requests')).status).toBe(200);
  }, 300_000);

  it('runs a 1-second schedule repeatedly, fans out, and its retention deletes only its own archives', async () => {
    const otherFiles = await filesUnder(path.join(archivesRoot, 'schedules', String(other)));
    const s = await create({
      name: 'every second',
      every_seconds: 1,
      skip_unchanged: false,
      retention: { keep_last: 1 },
      name_template: '{{id}}-{{name}}-{{date}}',
    });
    expect(s.next_run_date).not.toBeNull();
    const finished = await waitFor('two scheduled runs', async () => {
      const done = (await runs(s.id)).filter((r) => r.trigger === 'schedule' && r.status === 'finished');
      return done.length >= 2 ? done : undefined;
    });
    for (const run of finished) expect(run).toMatchObject({ total: 2, done: 2, failed: 0, failures: [] });
    await stop(s.id);

    const all = await runs(s.id);
    const kept = await archives(s.id);
    // One archive per task: older runs' archives were deleted by retention.
    expect(kept.map((a) => a.target_id).sort()).toEqual([...tasks].sort());
    const newest = Math.max(...all.filter((r) => r.done > 0).map((r) => r.id));
    expect(kept.every((a) => a.run_id === newest)).toBe(true);
    const own = await filesUnder(path.join(archivesRoot, 'schedules', String(s.id)));
    expect(own).toHaveLength(2);
    expect(own.every((f) => f.startsWith(`run-${newest}/`))).toBe(true);
    expect(kept.map((a) => a.filename).sort()).toEqual(own.map((f) => path.basename(f)).sort());
    expect(kept[0]?.filename).toMatch(/^\d+-(alpha|beta)-\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.zip$/);
    // Someone else's archives of the same tasks are still there.
    expect(await filesUnder(path.join(archivesRoot, 'schedules', String(other)))).toEqual(otherFiles);
    const everything = await filesUnder(archivesRoot);
    for (const f of onDemand) expect(everything).toContain(f);

    const res = await alice.call(`${BASE}/${s.id}/archives/${kept[0]!.id}/download`);
    const zip = Buffer.from(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(kept[0]!.filename);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
  }, 300_000);

  it('survives a killed worker and two replicas: one scheduler, no duplicate run, runs go on', async () => {
    const s = await create({ name: 'restart', every_seconds: 1, retention: { keep_last: 2 } });
    await waitFor('runs before the kill', async () =>
      (await runs(s.id)).filter((r) => r.status === 'finished').length >= 2 ? true : undefined,
    );
    const queue = e2e.api.services.schedules!.queue;
    // The worker dies at whatever line it is on.
    const killedAt = Date.now();
    await e2e.killWorkers();
    await new Promise((r) => setTimeout(r, 2500));
    const replicas = [e2e.worker(), e2e.worker()];
    await Promise.all(replicas.map((w) => w.start()));
    await waitFor('runs after the restart', async () => {
      const after = (await runs(s.id)).filter(
        (r) => r.status === 'finished' && Date.parse(r.fire_date) > killedAt + 2500,
      );
      return after.length >= 3 ? true : undefined;
    });
    const schedulers = (await queue.getJobSchedulers()).filter((j) => j.key === schedulerId(s.id));
    expect(schedulers).toHaveLength(1);
    await stop(s.id);

    const all = (await runs(s.id)).filter((r) => r.trigger === 'schedule');
    const fireTimes = all.map((r) => r.fire_date);
    expect(new Set(fireTimes).size).toBe(fireTimes.length);
    // One run per interval: a restart or a second replica never adds a fire between two others.
    const sorted = fireTimes.map((t) => Date.parse(t)).sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(1000);
    // The run the kill interrupted was finished by a replica (or closed as lost): none is left running.
    expect(all.every((r) => r.status !== 'running')).toBe(true);
    expect(all.filter((r) => r.status === 'finished').length).toBeGreaterThanOrEqual(5);
  }, 300_000);
});
