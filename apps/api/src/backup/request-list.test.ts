import { BackupProducer, type RequestView, toRequestView } from '@cvat-backup/queue';
import { exportPayload, importPayload } from '@cvat-backup/queue/testing';
import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRequests } from './request-list.js';

/** `GET /api/requests`'s listing over real queues crowded with other users' jobs. */
describe('listRequests through the per-user index', () => {
  const prefix = uniqueName('rqlist');
  const ME = 7;
  const OTHERS = 20_000;
  let connection: Redis;
  let producer: BackupProducer;
  const mine: string[] = [];

  const exportOf = (userId: number, targetId: number) => exportPayload({ userId, targetId });
  const importOf = (userId: number) => importPayload({ userId });
  const toView = async (found: Parameters<typeof toRequestView>[0]) =>
    toRequestView(found, {
      origin: 'http://api',
      owner: null,
      resultTtlSeconds: 3600,
      failureTtlSeconds: 3600,
    });
  const list = (query: Parameters<typeof listRequests>[2] = { pageSize: 'all' }) =>
    listRequests(producer, ME, query, toView);

  beforeAll(async () => {
    connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    producer = new BackupProducer({ connection, prefix, indexGraceMs: 0 });
    // Other users' jobs as a producer without the index left them (the first list indexes them once).
    for (let start = 0; start < OTHERS; start += 1000)
      await producer.exports.addBulk(
        Array.from({ length: 1000 }, (_, i) => ({
          name: 'export:task',
          data: exportOf(1000 + ((start + i) % 500), start + i + 1),
          opts: { jobId: `other-${start + i}` },
        })),
      );
    // Five of mine from before the index, forty-five made through the producer (indexed).
    for (let i = 0; i < 5; i++) {
      await producer.imports.add('import:project', importOf(ME), { jobId: `mine-old-${i}` });
      mine.push(`mine-old-${i}`);
    }
    for (let i = 0; i < 45; i++) {
      const { rqId } =
        i % 3 === 0
          ? await producer.enqueueImport(importOf(ME))
          : await producer.enqueueExport(exportOf(ME, i + 1));
      mine.push(rqId);
    }
  }, 180_000);
  afterAll(async () => {
    await producer?.close();
    connection?.disconnect();
    await deleteRedisKeys(prefix);
  });

  it('lists exactly the user’s 50 requests among 20,000 of others, newest first', async () => {
    const timed = async () => {
      const started = performance.now();
      const page = await list();
      return { page, ms: performance.now() - started };
    };
    // The first list indexes the pre-index jobs: one scan of every job, what every list did before.
    const first = await timed();
    const indexed = [await timed(), await timed(), await timed()];
    const best = Math.min(...indexed.map((t) => t.ms));
    console.info(
      `[request-list] ${OTHERS} jobs of others + 50 of the user: full scan (first list, backfill) ` +
        `${first.ms.toFixed(0)} ms; indexed list ${best.toFixed(1)} ms (best of 3)`,
    );
    for (const { page } of [first, ...indexed]) {
      expect(page.count).toBe(50);
      expect(new Set(page.results.map((v: RequestView) => v.id))).toEqual(new Set(mine));
    }
    const dates = indexed[0]!.page.results.map((v) => v.created_date);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('keeps CVAT’s filters, sort and paging', async () => {
    const imports = await list({ pageSize: 'all', filters: { action: 'import' } });
    expect(imports.count).toBe(5 + 15);
    expect(imports.results.every((v) => v.operation.type === 'import:backup')).toBe(true);
    const page2 = await list({ page: 2, pageSize: 20, sort: 'created_date' });
    expect(page2.count).toBe(50);
    expect(page2.results).toHaveLength(20);
    const all = await list({ pageSize: 'all', sort: 'created_date' });
    expect(page2.results.map((v) => v.id)).toEqual(all.results.slice(20, 40).map((v) => v.id));
    await expect(list({ sort: 'owner' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('drops requests whose job expired or was removed, and prunes their entries', async () => {
    const gone = mine.slice(0, 2);
    await (await producer.imports.getJob(gone[0]!))!.remove();
    await (await producer.imports.getJob(gone[1]!))!.remove();
    // A producer that died after writing the entry and before adding the job.
    await producer.index.add([{ userId: ME, kind: 'export', jobId: 'never-added' }]);
    await new Promise((r) => setTimeout(r, 5));
    const page = await list();
    expect(page.count).toBe(48);
    expect(page.results.map((v) => v.id)).not.toContain(gone[0]);
    const left = (await producer.index.entries(ME)).map((e) => e.jobId);
    expect(left).toHaveLength(48);
    expect(left).not.toContain('never-added');
    expect(left).not.toContain(gone[1]);
  });
});
