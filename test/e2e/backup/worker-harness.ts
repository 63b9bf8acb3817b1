/**
 * What the worker e2e suites share: a database of their own, a DATA_ROOT, a queue prefix, the producer
 * and queue events, one real worker process, and helpers to make tasks big enough to be killed in.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackupProducer, type ExportJobPayload, QUEUE_NAMES } from '@cvat-backup/queue';
import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { type Job, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { type Fixture, openFixture } from '../../../packages/backup/test/export-fixture.js';
import { WorkerProcess } from './worker-process.js';

const SECRET_KEY = 'test-secret-key-0123456789';

export interface WorkerHarness {
  fx: Fixture;
  dataRoot: string;
  producer: BackupProducer;
  exportEvents: QueueEvents;
  importEvents: QueueEvents;
  worker: WorkerProcess;
  exportRequest(over: Partial<ExportJobPayload> & { targetId: number }): ExportJobPayload;
  finished<T>(queue: 'exports' | 'imports', rqId: string): Promise<T>;
  /** Kills the worker the first time a job of `queue` reports `phase` (and `when` holds for it). */
  killAtPhase(
    queue: 'exports' | 'imports',
    phase: string,
    when?: (progress: { bytes?: number }) => boolean,
  ): Promise<void>;
  createBigTask(name: string, count: number, options?: BigTaskOptions): Promise<number>;
  close(): Promise<void>;
}

export interface BigTaskOptions {
  projectId?: number;
  /** Bytes of each image file; 64 KiB by default. */
  fileBytes?: number;
  /** Rectangles in the task's one job, so that writing its records takes a while. */
  shapes?: number;
}

/** Opens everything and starts the worker; `env` adds to (or overrides) the worker's environment. */
export async function openWorkerHarness(env: Record<string, string> = {}): Promise<WorkerHarness> {
  const prefix = uniqueName('wk');
  const fx = await openFixture({ secretKey: SECRET_KEY });
  const dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-worker-'));
  const connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
  const producer = new BackupProducer({ connection, prefix });
  const exportEvents = new QueueEvents(QUEUE_NAMES.export, { connection: connection.duplicate(), prefix });
  const importEvents = new QueueEvents(QUEUE_NAMES.import, { connection: connection.duplicate(), prefix });
  await Promise.all([exportEvents.waitUntilReady(), importEvents.waitUntilReady()]);
  const worker = new WorkerProcess({
    DATA_ROOT: dataRoot,
    REDIS_URL: testServices().redisUrl,
    DATABASE_URL: fx.db.url,
    SECRET_KEY,
    QUEUE_PREFIX: prefix,
    JOB_LOCK_MS: '1500',
    STALLED_CHECK_MS: '500',
    EXPORT_CONCURRENCY: '2',
    USER_CONCURRENCY: '1',
    LOG_LEVEL: 'info',
    ...env,
  });
  await worker.start();
  const events = { exports: exportEvents, imports: importEvents };

  return {
    fx,
    dataRoot,
    producer,
    exportEvents,
    importEvents,
    worker,
    exportRequest: (over) => ({
      version: 1,
      target: 'task',
      userId: fx.actor.id,
      lightweight: false,
      destination: { location: 'local' },
      requestedAt: new Date().toISOString(),
      ...over,
    }),
    async finished<T>(queue: 'exports' | 'imports', rqId: string): Promise<T> {
      const job = (await producer[queue].getJob(rqId)) as Job;
      return job.waitUntilFinished(events[queue], 60_000) as Promise<T>;
    },
    killAtPhase: (queue, phase, when = () => true) =>
      new Promise<void>((resolve) => {
        const onProgress = ({ data }: { data: unknown }) => {
          const progress = data as { phase?: string; bytes?: number };
          if (progress.phase === phase && when(progress)) {
            events[queue].off('progress', onProgress);
            void worker.kill().then(resolve);
          }
        };
        events[queue].on('progress', onProgress);
      }),
    createBigTask: (name, count, options = {}) => createBigTask(fx, dataRoot, name, count, options),
    async close() {
      await worker.stop();
      await exportEvents.close();
      await importEvents.close();
      await producer.close();
      connection.disconnect();
      await deleteRedisKeys(prefix);
      await fx.close();
      await rm(dataRoot, { recursive: true, force: true });
    },
  };
}

/** One harness for a describe block, opened before its tests and closed after; read it inside them. */
export function useWorkerHarness(env: Record<string, string> = {}): () => WorkerHarness {
  let harness: WorkerHarness | undefined;
  beforeAll(async () => {
    harness = await openWorkerHarness(env);
  });
  afterAll(async () => {
    await harness?.close();
  });
  return () => {
    if (!harness) throw new Error('the worker harness is not open (use it inside a test)');
    return harness;
  };
}

/** A task of many local files (under `<dataRoot>/media`), so that jobs on it last long enough to be killed. */
async function createBigTask(
  fx: Fixture,
  dataRoot: string,
  name: string,
  count: number,
  options: BigTaskOptions,
): Promise<number> {
  const big = await fx.catalog.tasks.create(fx.actor, {
    name,
    ...(options.projectId ? { project_id: options.projectId } : { labels: [{ name: 'car' }] }),
  });
  const prefixDir = path.join(dataRoot, 'media', `tasks/${big.id}/raw/images`);
  await mkdir(prefixDir, { recursive: true });
  const lines = ['{"version":"1.1"}', '{"type":"images"}'];
  for (let i = 0; i < count; i++) {
    await writeFile(path.join(prefixDir, `f${i}.jpg`), Buffer.alloc(options.fileBytes ?? 64 * 1024, i % 251));
    lines.push(JSON.stringify({ name: `images/f${i}`, extension: '.jpg', width: 1, height: 1 }));
  }
  await fx.catalog.data.create(big.id, {
    image_quality: 70,
    media_prefix: `tasks/${big.id}/raw/`,
    images: Array.from({ length: count }, (_, frame) => ({
      frame,
      path: `images/f${frame}.jpg`,
      width: 1,
      height: 1,
    })),
    manifest: lines,
  });
  const [job] = await fx.catalog.jobs.createSegments(big.id, [{ start_frame: 0, stop_frame: count - 1 }]);
  if (options.shapes) {
    const [label] = await fx.catalog.labels.treeOfTask(big.id);
    await fx.catalog.annotations.append(
      job!.id,
      Array.from({ length: options.shapes }, (_, i) => ({
        kind: 'shape' as const,
        value: { label_id: label!.id, type: 'rectangle' as const, frame: i % count, points: [1, 1, 2, 2] },
      })),
    );
  }
  return big.id;
}
