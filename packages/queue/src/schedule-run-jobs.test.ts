/**
 * What BullMQ does to a run's parent when its exports are removed, and how a running run's jobs are
 * read back, on a real Redis (a unique prefix per suite). Flows are built like the schedule worker's:
 * parent `finish` in the schedule queue, exports in the export queue with ignoreDependencyOnFailure.
 */
import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { FlowProducer, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from './queue-names.js';
import { runExportJobId, runFinishJobId } from './schedule-jobs.js';
import { dropRunJob, inspectRunJobs } from './schedule-run-jobs.js';

const prefix = uniqueName('sched-run');
let redis: Redis;
let queues: { schedule: Queue; export: Queue };
let flows: FlowProducer;
let nextRun = 0;

beforeAll(() => {
  redis = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
  queues = {
    schedule: new Queue(QUEUE_NAMES.schedule, { connection: redis, prefix }),
    export: new Queue(QUEUE_NAMES.export, { connection: redis, prefix }),
  };
  flows = new FlowProducer({ connection: redis, prefix });
});
afterAll(async () => {
  await flows.close();
  await Promise.all([queues.schedule.close(), queues.export.close()]);
  await deleteRedisKeys(prefix);
  redis.disconnect();
});

/** A run of schedule 1 with one export per task id, all waiting (no export worker runs). */
async function fannedOut(taskIds: number[]) {
  const run = { scheduleId: 1, runId: ++nextRun };
  await flows.add({
    name: 'finish',
    queueName: QUEUE_NAMES.schedule,
    data: {},
    opts: { jobId: runFinishJobId(run.scheduleId, run.runId) },
    children: taskIds.map((id) => ({
      name: 'export:task',
      queueName: QUEUE_NAMES.export,
      data: {},
      opts: { jobId: runExportJobId(run.scheduleId, run.runId, 'task', id), ignoreDependencyOnFailure: true },
    })),
  });
  const child = (id: number) => queues.export.getJob(runExportJobId(run.scheduleId, run.runId, 'task', id));
  const parent = () => queues.schedule.getJob(runFinishJobId(run.scheduleId, run.runId));
  return { run, child, parent };
}

describe('a run whose export jobs are removed', () => {
  it('BullMQ moves the parent on once its last pending export is removed, with no trace of it', async () => {
    const { run, child, parent } = await fannedOut([1, 2]);
    await (await child(1))!.remove();
    expect(await (await parent())!.getState()).toBe('waiting-children');
    expect(await inspectRunJobs(queues, run)).toEqual({ state: 'pending' });
    await (await child(2))!.remove();
    const p = (await parent())!;
    // The parent runs as if both exports had ended, and holds neither as failed nor as processed.
    expect(await p.getState()).toBe('waiting');
    expect(await p.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 0, ignored: 0, failed: 0 });
    expect(await inspectRunJobs(queues, run)).toEqual({ state: 'pending' });
  });

  it('refuses to remove an export a worker holds (active and locked)', async () => {
    const { child } = await fannedOut([1]);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const worker = new Worker(QUEUE_NAMES.export, () => held, { connection: redis.duplicate(), prefix });
    try {
      const job = (await child(1))!;
      for (let i = 0; i < 100 && (await job.getState()) !== 'active'; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(await job.getState()).toBe('active');
      await expect(job.remove()).rejects.toThrow(/locked/);
    } finally {
      release();
      await worker.close();
    }
  });

  it('reads a parent waiting only for exports whose keys were deleted in Redis as stuck, and drops it', async () => {
    const { run, child, parent } = await fannedOut([1, 2]);
    await redis.del(`${prefix}:${QUEUE_NAMES.export}:${runExportJobId(1, run.runId, 'task', 1)}`);
    // Export 2 still exists: the parent will go on once it ends.
    expect(await inspectRunJobs(queues, run)).toEqual({ state: 'pending' });
    await (await child(2))!.remove();
    expect(await (await parent())!.getState()).toBe('waiting-children');
    expect(await inspectRunJobs(queues, run)).toEqual({ state: 'stuck', childFailures: [] });
    await dropRunJob(queues.schedule, run);
    expect(await parent()).toBeUndefined();
    expect(await inspectRunJobs(queues, run)).toEqual({ state: 'gone' });
  });

  it('reads a parent removed by hand as gone (its exports go with it)', async () => {
    const { run, child, parent } = await fannedOut([1]);
    await (await parent())!.remove();
    expect(await child(1)).toBeUndefined();
    expect(await inspectRunJobs(queues, run)).toEqual({ state: 'gone' });
  });
});
