import { AppError, createLogger } from '@cvat-backup/common';
import {
  type ExportJobPayload,
  type ImportJobPayload,
  QUEUE_NAMES,
  webhookEventSchema,
} from '@cvat-backup/queue';
import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeEventId, publishingOutcomes, watchFailures } from './request-outcomes.js';

let connection: Redis;
let prefix: string;
let webhooks: Queue;
let exports: Queue;
let imports: Queue;

beforeAll(async () => {
  connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
  prefix = uniqueName('outcome');
  webhooks = new Queue(QUEUE_NAMES.webhook, { connection, prefix });
  exports = new Queue(QUEUE_NAMES.export, { connection, prefix });
  imports = new Queue(QUEUE_NAMES.import, { connection, prefix });
});
afterAll(async () => {
  await Promise.all([webhooks, exports, imports].map((q) => q?.close()));
  await connection?.quit();
  await deleteRedisKeys(prefix);
});

const deps = (publicUrl: string | undefined) => ({
  queue: webhooks,
  users: { get: async (id: number) => ({ id, username: `user${id}` }) as never },
  publicUrl,
  resultTtlSeconds: 3600,
  failureTtlSeconds: 60,
  logger: createLogger({ level: 'silent' }),
});

const exportData = (extra: object = {}): ExportJobPayload => ({
  version: 1,
  target: 'task',
  targetId: 7,
  userId: 3,
  lightweight: false,
  destination: { location: 'local' },
  requestedAt: '2026-11-28T10:00:00.000Z',
  ...extra,
});

const addExport = async (attempts: number, extra: object = {}) =>
  (await exports.add('export', exportData(extra), {
    jobId: uniqueName('action=export&target=task&target_id=7'),
    attempts,
  })) as Job<ExportJobPayload, unknown>;

/** The events published for one request job. */
async function eventsOf(job: Job) {
  const jobs = await webhooks.getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs
    .filter((j) => j.id?.startsWith(outcomeEventId(job, 'finished').replace(/-finished$/, '')))
    .map((j) => webhookEventSchema.parse(j.data));
}

describe('request outcomes published as webhook events', () => {
  it('publishes backup:finished with the request object, once per job however often it runs', async () => {
    const job = await addExport(3, { schedule: { scheduleId: 11, runId: 5 } });
    const handler = publishingOutcomes<'export', unknown>(
      'export',
      deps('https://backup.example.test/'),
      async () => ({ location: 'local', key: 'a.zip' }),
    );
    await handler(job, undefined);
    // A worker that died after publishing runs the job again: same event id, no second event.
    await handler(job, undefined);
    const events = await eventsOf(job);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'backup:finished',
      userId: 3,
      scheduleId: 11,
      eventId: outcomeEventId(job, 'finished'),
      payload: {
        id: job.id,
        status: 'finished',
        progress: 1,
        operation: { type: 'export:backup', target: 'task', task_id: 7 },
        owner: { id: 3, username: 'user3' },
        result_url: `https://backup.example.test/api/tasks/7/backup/download?rq_id=${encodeURIComponent(job.id!)}`,
      },
    });
  });

  it('leaves result_url null without PUBLIC_URL', async () => {
    const job = await addExport(1);
    await publishingOutcomes<'export', unknown>('export', deps(undefined), async () => ({
      location: 'local',
    }))(job, undefined);
    expect((await eventsOf(job))[0]!.payload.result_url).toBeNull();
  });

  it('publishes backup:failed only for the last failure: a permanent error, or the last attempt', async () => {
    const transient = await addExport(3);
    const retried = publishingOutcomes<'export', unknown>(
      'export',
      deps('https://backup.example.test/'),
      async () => {
        throw new Error('socket hang up');
      },
    );
    await expect(retried(transient, undefined)).rejects.toThrow('socket hang up');
    expect(await eventsOf(transient)).toEqual([]);

    const permanent = await addExport(3);
    const refused = publishingOutcomes<'export', unknown>(
      'export',
      deps('https://backup.example.test/'),
      async () => {
        throw new AppError('BACKUP_RESOURCE_NOT_FOUND', { target: 'task', id: 7 });
      },
    );
    await expect(refused(permanent, undefined)).rejects.toThrow(/does not exist/);
    const [failed] = await eventsOf(permanent);
    expect(failed).toMatchObject({
      type: 'backup:failed',
      payload: { status: 'failed', message: expect.stringMatching(/^BACKUP_RESOURCE_NOT_FOUND: /) },
    });

    const last = await addExport(1);
    await expect(retried(last, undefined)).rejects.toThrow();
    expect((await eventsOf(last)).map((e) => e.type)).toEqual(['backup:failed']);
  });

  it('publishes nothing for a postponed job', async () => {
    const job = await addExport(1);
    const postponed = publishingOutcomes<'export', unknown>(
      'export',
      deps('https://backup.example.test/'),
      async () => {
        throw new DelayedError();
      },
    );
    await expect(postponed(job, undefined)).rejects.toBeInstanceOf(DelayedError);
    expect(await eventsOf(job)).toEqual([]);
  });

  it('publishes restore:finished with the new resource id', async () => {
    const data: ImportJobPayload = {
      version: 1,
      target: 'task',
      userId: 3,
      source: { kind: 'staged', key: 'up.zip' },
      requestedAt: '2026-11-28T10:00:00.000Z',
    };
    const job = (await imports.add('import', data, { jobId: uniqueName('import') })) as Job<
      ImportJobPayload,
      unknown
    >;
    await publishingOutcomes<'import', unknown>('import', deps('https://backup.example.test/'), async () => ({
      id: 99,
    }))(job, undefined);
    expect(await eventsOf(job)).toMatchObject([
      { type: 'restore:finished', payload: { result_id: 99, operation: { type: 'import:backup' } } },
    ]);
  });

  it('tells final failures seen only by the worker (e.g. stalled too often), once with the handler’s own', async () => {
    const name = uniqueName('failing');
    const failing = new Queue(name, { connection, prefix });
    const wrapped = publishingOutcomes<'export', unknown>(
      'export',
      deps('https://backup.example.test'),
      async () => {
        throw new AppError('BACKUP_RESOURCE_NOT_FOUND', { target: 'task', id: 1 });
      },
    );
    // Job 1 fails inside the wrapped handler (told by it); job 2 fails outside it, as a job that stalled
    // too often does, so only the worker's failed event can tell it.
    const worker = new Worker<ExportJobPayload, unknown>(
      name,
      async (job) =>
        job.data.targetId === 1 ? wrapped(job, undefined) : Promise.reject(new Error('stalled')),
      { connection, prefix, autorun: false },
    );
    watchFailures(worker, 'export', deps('https://backup.example.test'));
    const failedTwice = new Promise<void>((resolve) => {
      let n = 0;
      worker.on('failed', () => ++n === 3 && resolve());
    });
    try {
      const told = await failing.add('export', exportData({ targetId: 1 }), { jobId: uniqueName('told') });
      const retried = await failing.add('export', exportData({ targetId: 2 }), {
        jobId: uniqueName('retried'),
        attempts: 2,
      });
      void worker.run();
      await failedTwice;
      // The listener publishes asynchronously after the event.
      await new Promise((r) => setTimeout(r, 300));
      expect((await eventsOf(told)).map((e) => e.type)).toEqual(['backup:failed']);
      const [event] = await eventsOf(retried);
      expect(event).toMatchObject({ type: 'backup:failed', payload: { status: 'failed' } });
      expect(await eventsOf(retried)).toHaveLength(1);
    } finally {
      await worker.close();
      await failing.close();
    }
  });
});
