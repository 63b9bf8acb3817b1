/**
 * Export and import jobs through BullMQ with real worker processes: the h.producer enqueues, the worker
 * writes archives into DATA_ROOT and restores into PostgreSQL. A worker SIGKILLed in the middle of an
 * export leaves no archive under the final name, and the job completes once a worker runs again.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ExportOutcome } from '@cvat-backup/backup';
import { FileSource, openBackup } from '@cvat-backup/format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageTask } from '../../../packages/backup/test/export-fixture.js';
import { openWorkerHarness, type WorkerHarness } from './worker-harness.js';

describe('backup jobs through BullMQ and a real worker process', () => {
  let h: WorkerHarness;
  let taskId: number;

  beforeAll(async () => {
    h = await openWorkerHarness();
    taskId = await createImageTask(h.fx, path.join(h.dataRoot, 'media'), { name: 'worker task' });
  });

  afterAll(async () => {
    await h?.close();
  });

  const exportRequest = (over: Partial<Parameters<WorkerHarness['exportRequest']>[0]> = {}) =>
    h.exportRequest({ targetId: taskId, ...over });
  const finished = <T>(queue: 'exports' | 'imports', rqId: string) => h.finished<T>(queue, rqId);

  it('exports a task to local storage and restores it from a staged upload', async () => {
    const { rqId } = await h.producer.enqueueExport(exportRequest());
    const outcome = await finished<ExportOutcome>('exports', rqId);
    const archive = path.join(h.dataRoot, 'archives', outcome.key);
    const backup = await openBackup(await FileSource.open(archive), { expect: 'task' });
    expect(await backup.verify()).toMatchObject({ checksums: true });
    await backup.close();

    await mkdir(path.join(h.dataRoot, 'staging', 'uploads'), { recursive: true });
    await copyFile(archive, path.join(h.dataRoot, 'staging', 'uploads', 'a.zip'));
    const imported = await h.producer.enqueueImport({
      version: 1,
      target: 'task',
      userId: h.fx.actor.id,
      source: { kind: 'staged', key: 'uploads/a.zip' },
      requestedAt: new Date().toISOString(),
    });
    const result = await finished<{ id: number; created: boolean }>('imports', imported.rqId);
    expect(result.created).toBe(true);
    expect((await h.fx.catalog.tasks.get(h.fx.actor, result.id))?.name).toBe('worker task');
    expect(await readdir(path.join(h.dataRoot, 'staging', 'uploads'))).toEqual([]);
  });

  it('fails a request for a missing task at once, with the code in the failure', async () => {
    const { rqId } = await h.producer.enqueueExport(exportRequest({ targetId: 999_999 }));
    await expect(finished('exports', rqId)).rejects.toThrow(/^BACKUP_RESOURCE_NOT_FOUND: /);
    expect((await h.producer.exports.getJob(rqId))?.attemptsMade).toBe(1);
  });

  it('survives a SIGKILL in the middle of an export: no partial archive, and the job completes after a restart', async () => {
    const count = 1500;
    const bigId = await h.createBigTask('many files', count);
    const big = { id: bigId };
    const killed = h.killAtPhase('exports', 'writing-media');
    const { rqId } = await h.producer.enqueueExport(exportRequest({ targetId: big.id }));
    await killed;

    const updated = (await h.fx.catalog.tasks.get(h.fx.actor, big.id))!.updated_date;
    const finalName = path.join(h.dataRoot, 'archives', `task-${big.id}`, `${updated.getTime()}.zip`);
    const files = await readdir(path.dirname(finalName)).catch(() => [] as string[]);
    expect(files).not.toContain(path.basename(finalName));

    await h.worker.start();
    const outcome = await finished<ExportOutcome>('exports', rqId);
    expect(path.join(h.dataRoot, 'archives', outcome.key)).toBe(finalName);
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
      const sourceId = await h.createBigTask(name, 800);
      const exported = await finished<ExportOutcome>(
        'exports',
        (await h.producer.enqueueExport(exportRequest({ targetId: sourceId }))).rqId,
      );
      await mkdir(path.join(h.dataRoot, 'staging', 'uploads'), { recursive: true });
      await copyFile(
        path.join(h.dataRoot, 'archives', exported.key),
        path.join(h.dataRoot, 'staging', 'uploads', `${phase}.zip`),
      );

      const killed = h.killAtPhase('imports', phase);
      const { rqId } = await h.producer.enqueueImport({
        version: 1,
        target: 'task',
        userId: h.fx.actor.id,
        source: { kind: 'staged', key: `uploads/${phase}.zip` },
        requestedAt: new Date().toISOString(),
      });
      await killed;
      const named = async () =>
        (await h.fx.catalog.tasks.list(h.fx.actor, { pageSize: 'all', filters: { name } } as never)).results;
      // Only the source task: nothing of the interrupted restore is visible.
      expect((await named()).map((t) => t.id)).toEqual([sourceId]);

      await h.worker.start();
      const result = await finished<{ id: number; created: boolean }>('imports', rqId);
      const tasks = await named();
      expect(tasks.map((t) => t.id).sort((a, b) => a - b)).toEqual(
        [sourceId, result.id].sort((a, b) => a - b),
      );
      expect(tasks.find((t) => t.id === result.id)?.size).toBe(800);
    },
  );

  it('runs one job per user at a time when USER_CONCURRENCY=1, though the worker could run two', async () => {
    const [a, b] = [await h.createBigTask('user limit a', 600), await h.createBigTask('user limit b', 600)];
    const spans = new Map<string, { active: number; done?: number }>();
    const delayed = new Set<string>();
    const onActive = ({ jobId }: { jobId: string }) => spans.set(jobId, { active: Date.now() });
    const onDelayed = ({ jobId }: { jobId: string }) => delayed.add(jobId);
    const onCompleted = ({ jobId }: { jobId: string }) => {
      const span = spans.get(jobId);
      if (span) span.done = Date.now();
    };
    h.exportEvents.on('active', onActive);
    h.exportEvents.on('delayed', onDelayed);
    h.exportEvents.on('completed', onCompleted);
    try {
      const ids = [
        (await h.producer.enqueueExport(exportRequest({ targetId: a }))).rqId,
        (await h.producer.enqueueExport(exportRequest({ targetId: b }))).rqId,
      ];
      await Promise.all(ids.map((id) => finished('exports', id)));
      await new Promise((r) => setTimeout(r, 200));
      const [first, second] = ids.map((id) => spans.get(id)!).sort((x, y) => x.active - y.active);
      // The last start of the later job comes after the earlier one finished: they never overlapped.
      expect(second!.active).toBeGreaterThanOrEqual(first!.done!);
      expect(ids.some((id) => delayed.has(id))).toBe(true);
    } finally {
      h.exportEvents.off('active', onActive);
      h.exportEvents.off('delayed', onDelayed);
      h.exportEvents.off('completed', onCompleted);
    }
  });
});
