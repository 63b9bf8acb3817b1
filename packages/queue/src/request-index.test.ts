import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupProducer } from './backup-producer.js';
import { RequestIndex } from './request-index.js';
import { exportPayload, importPayload } from './testing/payloads.js';

describe('RequestIndex on real Redis', () => {
  let connection: Redis;
  const prefixes: string[] = [];
  const open = (options: { indexGraceMs?: number } = {}) => {
    const prefix = uniqueName('rqidx');
    prefixes.push(prefix);
    return { prefix, producer: new BackupProducer({ connection, prefix, ...options }) };
  };

  beforeAll(() => {
    connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    connection.disconnect();
    for (const prefix of prefixes) await deleteRedisKeys(prefix);
  });

  const exportOf = (userId: number, targetId: number) => exportPayload({ userId, targetId });
  const importOf = (userId: number) => importPayload({ userId });

  it('indexes every enqueued request under its owner, newest first', async () => {
    const { producer } = open();
    try {
      const a = await producer.enqueueExport(exportOf(1, 10));
      const b = await producer.enqueueImport(importOf(1));
      await producer.enqueueExport(exportOf(2, 10));
      const mine = await producer.index.entries(1);
      expect(mine.map((e) => [e.kind, e.jobId])).toEqual([
        ['import', b.rqId],
        ['export', a.rqId],
      ]);
      // A repeated request (409) adds no second entry.
      expect((await producer.enqueueExport(exportOf(1, 10))).created).toBe(false);
      expect(await producer.index.entries(1)).toHaveLength(2);
      expect((await producer.index.entries(2)).map((e) => e.kind)).toEqual(['export']);
    } finally {
      await producer.close();
    }
  });

  it('prunes an entry without a job only past the grace period and only with the score it read', async () => {
    const { prefix, producer } = open();
    const index = new RequestIndex({ client: connection, prefix, graceMs: 1000 });
    try {
      // As a producer that died between writing the entry and adding the job leaves it.
      await index.add([{ userId: 5, kind: 'import', jobId: 'action=import&target=task&id=dead' }]);
      const [dangling] = await index.entries(5);
      expect(await index.prune(5, [dangling!], dangling!.indexedAt + 500)).toBe(0);
      // Re-scored meanwhile (the same export re-enqueued): the stale reading removes nothing.
      expect(
        await index.prune(5, [{ ...dangling!, indexedAt: dangling!.indexedAt - 1 }], Date.now() + 5000),
      ).toBe(0);
      expect(await index.entries(5)).toHaveLength(1);
      expect(await index.prune(5, [dangling!], dangling!.indexedAt + 1001)).toBe(1);
      expect(await index.entries(5)).toEqual([]);
    } finally {
      await producer.close();
    }
  });

  it('prunes the oldest entries whose jobs are gone on each enqueue, so a user who never lists stays bounded', async () => {
    const { producer } = open({ indexGraceMs: 0 });
    try {
      const first = await producer.enqueueImport(importOf(9));
      const second = await producer.enqueueImport(importOf(9));
      // Expired or cancelled: the job is gone, its entry stays until someone looks.
      await (await producer.imports.getJob(first.rqId))!.remove();
      await new Promise((r) => setTimeout(r, 5));
      const third = await producer.enqueueImport(importOf(9));
      expect((await producer.index.entries(9)).map((e) => e.jobId)).toEqual([third.rqId, second.rqId]);
    } finally {
      await producer.close();
    }
  });

  it('backfills jobs queued before the index existed, once per deployment', async () => {
    const { prefix, producer } = open();
    try {
      // Jobs as an older producer left them: no index entries.
      await producer.exports.add('export:task', exportOf(3, 1), { jobId: 'old-export' });
      await producer.imports.add('import:task', importOf(3), { jobId: 'old-import', delay: 60_000 });
      await producer.imports.add('import:task', importOf(4), { jobId: 'other-user' });
      await producer.exports.add('export:task', { junk: true }, { jobId: 'no-owner' });
      expect(await producer.index.entries(3)).toEqual([]);

      await producer.index.ensureBackfilled(producer);
      expect((await producer.index.entries(3)).map((e) => `${e.kind}:${e.jobId}`).sort()).toEqual([
        'export:old-export',
        'import:old-import',
      ]);
      expect((await producer.index.entries(4)).map((e) => e.jobId)).toEqual(['other-user']);
      const [old] = await producer.index.entries(4);
      expect(old!.indexedAt).toBe((await producer.imports.getJob('other-user'))!.timestamp);

      // Done is done: another process (a fresh index on the same prefix) does not scan again.
      await producer.exports.add('export:task', exportOf(3, 2), { jobId: 'after-marker' });
      await new RequestIndex({ client: connection, prefix }).ensureBackfilled(producer);
      expect((await producer.index.entries(3)).map((e) => e.jobId)).not.toContain('after-marker');
    } finally {
      await producer.close();
    }
  });
});
