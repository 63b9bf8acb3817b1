/**
 * Export and import jobs through BullMQ with real worker processes: the producer enqueues, the worker
 * writes archives into DATA_ROOT and restores into PostgreSQL. A worker SIGKILLed in the middle of an
 * export leaves no archive under the final name, and the job completes once a worker runs again.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExportOutcome } from '@cvat-backup/backup';
import { FileSource, openBackup } from '@cvat-backup/format';
import { BackupProducer, type ExportJobPayload, QUEUE_NAMES } from '@cvat-backup/queue';
import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { type Job, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageTask, type Fixture, openFixture } from '../../../packages/backup/test/export-fixture.js';
import { WorkerProcess } from './worker-process.js';

const SECRET_KEY = 'test-secret-key-0123456789';

describe('backup jobs through BullMQ and a real worker process', () => {
  const prefix = uniqueName('wk');
  let fx: Fixture;
  let dataRoot: string;
  let connection: Redis;
  let producer: BackupProducer;
  let exportEvents: QueueEvents;
  let importEvents: QueueEvents;
  let worker: WorkerProcess;
  let taskId: number;

  beforeAll(async () => {
    fx = await openFixture({ secretKey: SECRET_KEY });
    dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-worker-'));
    taskId = await createImageTask(fx, path.join(dataRoot, 'media'), { name: 'worker task' });
    connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    producer = new BackupProducer({ connection, prefix });
    exportEvents = new QueueEvents(QUEUE_NAMES.export, { connection: connection.duplicate(), prefix });
    importEvents = new QueueEvents(QUEUE_NAMES.import, { connection: connection.duplicate(), prefix });
    await Promise.all([exportEvents.waitUntilReady(), importEvents.waitUntilReady()]);
    worker = new WorkerProcess({
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
    });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await exportEvents?.close();
    await importEvents?.close();
    await producer?.close();
    connection?.disconnect();
    await deleteRedisKeys(prefix);
    await fx?.close();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  const exportRequest = (over: Partial<ExportJobPayload> = {}): ExportJobPayload => ({
    version: 1,
    target: 'task',
    targetId: taskId,
    userId: fx.actor.id,
    lightweight: false,
    destination: { location: 'local' },
    requestedAt: new Date().toISOString(),
    ...over,
  });

  async function finished<T>(events: QueueEvents, queue: 'exports' | 'imports', rqId: string): Promise<T> {
    const job = (await producer[queue].getJob(rqId)) as Job;
    return job.waitUntilFinished(events, 60_000) as Promise<T>;
  }

  it('exports a task to local storage and restores it from a staged upload', async () => {
    const { rqId } = await producer.enqueueExport(exportRequest());
    const outcome = await finished<ExportOutcome>(exportEvents, 'exports', rqId);
    const archive = path.join(dataRoot, 'archives', outcome.key);
    const backup = await openBackup(await FileSource.open(archive), { expect: 'task' });
    expect(await backup.verify()).toMatchObject({ checksums: true });
    await backup.close();

    await mkdir(path.join(dataRoot, 'staging', 'uploads'), { recursive: true });
    await copyFile(archive, path.join(dataRoot, 'staging', 'uploads', 'a.zip'));
    const imported = await producer.enqueueImport({
      version: 1,
      target: 'task',
      userId: fx.actor.id,
      source: { kind: 'staged', key: 'uploads/a.zip' },
      requestedAt: new Date().toISOString(),
    });
    const result = await finished<{ id: number; created: boolean }>(importEvents, 'imports', imported.rqId);
    expect(result.created).toBe(true);
    expect((await fx.catalog.tasks.get(fx.actor, result.id))?.name).toBe('worker task');
    expect(await readdir(path.join(dataRoot, 'staging', 'uploads'))).toEqual([]);
  });

  it('fails a request for a missing task at once, with the code in the failure', async () => {
    const { rqId } = await producer.enqueueExport(exportRequest({ targetId: 999_999 }));
    await expect(finished(exportEvents, 'exports', rqId)).rejects.toThrow(/^BACKUP_RESOURCE_NOT_FOUND: /);
    expect((await producer.exports.getJob(rqId))?.attemptsMade).toBe(1);
  });

  /** A task of many files, so that jobs on it last long enough to be killed half-way. */
  async function createBigTask(name: string, count: number): Promise<number> {
    const big = await fx.catalog.tasks.create(fx.actor, { name, labels: [{ name: 'car' }] });
    const prefixDir = path.join(dataRoot, 'media', `tasks/${big.id}/raw/images`);
    await mkdir(prefixDir, { recursive: true });
    const lines = ['{"version":"1.1"}', '{"type":"images"}'];
    for (let i = 0; i < count; i++) {
      await writeFile(path.join(prefixDir, `f${i}.jpg`), Buffer.alloc(64 * 1024, i % 251));
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
    await fx.catalog.jobs.createSegments(big.id, [{ start_frame: 0, stop_frame: count - 1 }]);
    return big.id;
  }

  /** Kills the worker the first time a job of `events`' queue reports `phase`. */
  function killAtPhase(events: QueueEvents, phase: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const onProgress = ({ data }: { data: unknown }) => {
        if ((data as { phase?: string }).phase === phase) {
          events.off('progress', onProgress);
          void worker.kill().then(resolve);
        }
      };
      events.on('progress', onProgress);
    });
  }

  it('survives a SIGKILL in the middle of an export: no partial archive, and the job completes after a restart', async () => {
    const count = 1500;
    const bigId = await createBigTask('many files', count);
    const big = { id: bigId };
    const killed = killAtPhase(exportEvents, 'writing-media');
    const { rqId } = await producer.enqueueExport(exportRequest({ targetId: big.id }));
    await killed;

    const updated = (await fx.catalog.tasks.get(fx.actor, big.id))!.updated_date;
    const finalName = path.join(dataRoot, 'archives', `task-${big.id}`, `${updated.getTime()}.zip`);
    const files = await readdir(path.dirname(finalName)).catch(() => [] as string[]);
    expect(files).not.toContain(path.basename(finalName));

    await worker.start();
    const outcome = await finished<ExportOutcome>(exportEvents, 'exports', rqId);
    expect(path.join(dataRoot, 'archives', outcome.key)).toBe(finalName);
    const backup = await openBackup(await FileSource.open(finalName), { expect: 'task' });
    expect(backup.kind === 'task' && backup.task.media.length).toBe(count + 1);
    expect(await backup.verify()).toMatchObject({ checksums: true, entries: count + 4 });
    await backup.close();
  });

  it.each([
    ['copying media', 'restoring-media'],
    ['writing records', 'restoring-records'],
  ])(
    'survives a SIGKILL while an import is %s: no half-made task, and the retry makes exactly one',
    async (_what, phase) => {
      const name = `import crash ${phase}`;
      const sourceId = await createBigTask(name, 800);
      const exported = await finished<ExportOutcome>(
        exportEvents,
        'exports',
        (await producer.enqueueExport(exportRequest({ targetId: sourceId }))).rqId,
      );
      await mkdir(path.join(dataRoot, 'staging', 'uploads'), { recursive: true });
      await copyFile(
        path.join(dataRoot, 'archives', exported.key),
        path.join(dataRoot, 'staging', 'uploads', `${phase}.zip`),
      );

      const killed = killAtPhase(importEvents, phase);
      const { rqId } = await producer.enqueueImport({
        version: 1,
        target: 'task',
        userId: fx.actor.id,
        source: { kind: 'staged', key: `uploads/${phase}.zip` },
        requestedAt: new Date().toISOString(),
      });
      await killed;
      const named = async () =>
        (await fx.catalog.tasks.list(fx.actor, { pageSize: 'all', filters: { name } } as never)).results;
      // Only the source task: nothing of the interrupted restore is visible.
      expect((await named()).map((t) => t.id)).toEqual([sourceId]);

      await worker.start();
      const result = await finished<{ id: number; created: boolean }>(importEvents, 'imports', rqId);
      const tasks = await named();
      expect(tasks.map((t) => t.id).sort((a, b) => a - b)).toEqual(
        [sourceId, result.id].sort((a, b) => a - b),
      );
      expect(tasks.find((t) => t.id === result.id)?.size).toBe(800);
    },
  );

  it('runs one job per user at a time when USER_CONCURRENCY=1, though the worker could run two', async () => {
    const [a, b] = [await createBigTask('user limit a', 600), await createBigTask('user limit b', 600)];
    const spans = new Map<string, { active: number; done?: number }>();
    const delayed = new Set<string>();
    const onActive = ({ jobId }: { jobId: string }) => spans.set(jobId, { active: Date.now() });
    const onDelayed = ({ jobId }: { jobId: string }) => delayed.add(jobId);
    const onCompleted = ({ jobId }: { jobId: string }) => {
      const span = spans.get(jobId);
      if (span) span.done = Date.now();
    };
    exportEvents.on('active', onActive);
    exportEvents.on('delayed', onDelayed);
    exportEvents.on('completed', onCompleted);
    try {
      const ids = [
        (await producer.enqueueExport(exportRequest({ targetId: a }))).rqId,
        (await producer.enqueueExport(exportRequest({ targetId: b }))).rqId,
      ];
      await Promise.all(ids.map((id) => finished(exportEvents, 'exports', id)));
      await new Promise((r) => setTimeout(r, 200));
      const [first, second] = ids.map((id) => spans.get(id)!).sort((x, y) => x.active - y.active);
      // The last start of the later job comes after the earlier one finished: they never overlapped.
      expect(second!.active).toBeGreaterThanOrEqual(first!.done!);
      expect(ids.some((id) => delayed.has(id))).toBe(true);
    } finally {
      exportEvents.off('active', onActive);
      exportEvents.off('delayed', onDelayed);
      exportEvents.off('completed', onCompleted);
    }
  });
});
