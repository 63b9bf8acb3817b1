import {
  type CloudDrivers,
  purgeDeletingSchedules,
  repairLostRuns,
  type ScheduleRunDependencies,
} from '@cvat-backup/backup';
import type { Catalog } from '@cvat-backup/catalog';
import type { Logger } from '@cvat-backup/common';
import {
  createCodedWorker,
  dropRunJob,
  inspectRunJobs,
  publishWebhookEvent,
  QUEUE_NAMES,
  type RequestIndex,
  reconcileSchedulers,
  runExportJobId,
  runFinishJobId,
  SCHEDULE_JOB_NAMES,
  type ScheduleFinishPayload,
} from '@cvat-backup/queue';
import type { StorageDriver } from '@cvat-backup/storage';
import { FlowProducer, Queue, type WorkerOptions } from 'bullmq';
import { scheduleHandler } from './schedule.handler.js';

export interface ScheduleWorkerOptions {
  catalog: Catalog;
  archives: StorageDriver;
  cloud: CloudDrivers;
  logger: Logger;
  /** The per-user request index: a run's exports are listed by `GET /api/requests` like any other. */
  requests: RequestIndex;
  /** Connection, prefix and lock settings shared by every worker of the process. */
  common: Pick<WorkerOptions, 'connection' | 'prefix' | 'lockDuration' | 'stalledInterval'> & {
    prefix: string;
  };
}

const DAY_S = 24 * 3600;
/**
 * How often a worker repairs what no job will: schedulers missing from Redis (only missing ones:
 * healthy ones stay), runs whose parent job is gone or stuck, deletions with archives a crash cut short.
 */
const REPAIR_INTERVAL_MS = 60_000;
const RETRIES = { attempts: 5, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } };

/**
 * Scheduled backups in this worker process: the schedule queue's worker, the job schedulers reconciled
 * with the catalog at start (every replica does it; upserts make that harmless), and the fan-out of a
 * run as a BullMQ flow (parent `finish`, one export child per resource in the export queue, so the
 * export concurrency and the per-user limit apply).
 */
export async function startScheduleWorker(options: ScheduleWorkerOptions) {
  const { catalog, logger, common } = options;
  const connection = common.connection;
  const queueOptions = { connection, prefix: common.prefix };
  const schedules = new Queue(QUEUE_NAMES.schedule, queueOptions);
  const webhooks = new Queue(QUEUE_NAMES.webhook, queueOptions);
  // Read only: the repair looks up whether a run's exports still exist.
  const exportsQueue = new Queue(QUEUE_NAMES.export, queueOptions);
  const flows = new FlowProducer(queueOptions);

  const deps: ScheduleRunDependencies & { schedules: Queue } = {
    catalog,
    logger,
    schedules,
    fanOut: async (run, exports) => {
      const data: ScheduleFinishPayload = { version: 1, scheduleId: run.schedule_id, runId: run.id };
      // Indexed before the jobs exist (a crash in between leaves entries the list prunes).
      await options.requests.add(
        exports.map((p) => ({
          userId: p.userId,
          kind: 'export' as const,
          jobId: runExportJobId(run.schedule_id, run.id, p.target, p.targetId),
        })),
      );
      await flows.add({
        name: SCHEDULE_JOB_NAMES.finish,
        queueName: QUEUE_NAMES.schedule,
        data,
        opts: {
          ...RETRIES,
          jobId: runFinishJobId(run.schedule_id, run.id),
          removeOnComplete: { age: DAY_S },
          removeOnFail: { age: 7 * DAY_S },
        },
        children: exports.map((payload) => ({
          name: `export:${payload.target}`,
          queueName: QUEUE_NAMES.export,
          data: payload,
          opts: {
            ...RETRIES,
            jobId: runExportJobId(run.schedule_id, run.id, payload.target, payload.targetId),
            // A failed export must not block the run: the parent still finishes and reports it.
            ignoreDependencyOnFailure: true,
            removeOnComplete: { age: DAY_S },
            removeOnFail: { age: 7 * DAY_S },
          },
        })),
      });
    },
    inspectRun: (run) =>
      inspectRunJobs(
        { schedule: schedules, export: exportsQueue },
        { scheduleId: run.schedule_id, runId: run.id },
      ),
    dropRun: (run) => dropRunJob(schedules, { scheduleId: run.schedule_id, runId: run.id }),
    publish: (event) => publishWebhookEvent(webhooks, event),
    driverFor: async (archive) =>
      archive.location === 'local' || archive.cloud_storage_id === null
        ? options.archives
        : options.cloud.get(archive.cloud_storage_id),
  };

  const worker = createCodedWorker(QUEUE_NAMES.schedule, scheduleHandler(deps), {
    ...common,
    concurrency: 2,
  });
  worker.on('failed', (job, err) =>
    logger.warn(
      { queue: 'schedule', jobId: job?.id, attempts: job?.attemptsMade, err },
      'schedule job failed',
    ),
  );
  worker.on('error', (err) => logger.error({ queue: 'schedule', err }, 'schedule worker error'));

  const reconciled = await reconcileSchedulers(schedules, await catalog.schedules.listEnabled());
  logger.info(reconciled, 'backup schedules reconciled');
  // Repairs what the start-up pass cannot see coming: a Redis that lost its keys, an API that died
  // between committing a schedule and upserting its scheduler; runs no parent job will end (removed
  // by hand, Redis lost it) that would block their schedule; deletions with archives cut short.
  // Every replica does it: each step is idempotent.
  const repairOnce = async () => {
    const enabled = await catalog.schedules.listEnabled();
    const done = await reconcileSchedulers(schedules, enabled, { onlyMissing: true });
    if (done.upserted + done.removed > 0) logger.info(done, 'backup schedules repaired');
    const settled = await repairLostRuns(deps);
    if (settled > 0) logger.info({ settled }, 'lost schedule runs settled');
    await purgeDeletingSchedules(deps);
  };
  const repairSafely = () =>
    repairOnce().catch((err: unknown) => logger.warn({ err }, 'backup schedule repair failed'));
  void repairSafely();
  const repair = setInterval(repairSafely, REPAIR_INTERVAL_MS);
  repair.unref();

  return {
    worker,
    async close() {
      clearInterval(repair);
      await worker.close();
      await Promise.all([schedules.close(), webhooks.close(), exportsQueue.close(), flows.close()]);
    },
  };
}
