import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupProducer } from './backup-producer.js';
import type { ExportJobPayload } from './job-payloads.js';
import { QUEUE_NAMES } from './queue-names.js';
import { exportPayload } from './testing/payloads.js';

describe('BackupProducer on real Redis', () => {
  const prefix = uniqueName('q');
  let connection: Redis;
  let producer: BackupProducer;

  beforeAll(() => {
    connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    producer = new BackupProducer({ connection, prefix });
  });
  afterAll(async () => {
    await producer.close();
    connection.disconnect();
    await deleteRedisKeys(prefix);
  });

  const request = exportPayload;

  it('gives the same export by the same user the same id while it is in flight', async () => {
    const first = await producer.enqueueExport(request());
    const second = await producer.enqueueExport(
      request({ requestedAt: new Date(Date.now() + 5).toISOString() }),
    );
    expect(first).toEqual({
      rqId: 'action=export&target=task&target_id=42&user_id=1&subresource=backup',
      created: true,
    });
    expect(second).toEqual({ rqId: first.rqId, created: false });
    expect(await producer.exports.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('separates users and the lightweight variant', async () => {
    const other = await producer.enqueueExport(request({ userId: 2 }));
    const light = await producer.enqueueExport(request({ lightweight: true }));
    expect(other.created && light.created).toBe(true);
    expect(new Set([other.rqId, light.rqId]).size).toBe(2);
  });

  it('dedupes only what would make the same archive: another target or file name is its own job', async () => {
    const base = request({ targetId: 43 });
    const local = await producer.enqueueExport(base);
    const cloud = await producer.enqueueExport({
      ...base,
      destination: { location: 'cloud_storage', cloudStorageId: 4 },
    });
    const named = await producer.enqueueExport({ ...base, filename: 'nightly.zip' });
    expect([local.created, cloud.created, named.created]).toEqual([true, true, true]);
    expect(new Set([local.rqId, cloud.rqId, named.rqId]).size).toBe(3);
    // The same target and name again, while queued: CVAT's 409 with the first id.
    expect(
      await producer.enqueueExport({
        ...base,
        destination: { location: 'cloud_storage', cloudStorageId: 4 },
        requestedAt: new Date(Date.now() + 7).toISOString(),
      }),
    ).toEqual({ rqId: cloud.rqId, created: false });
    expect((await producer.exports.getJob(named.rqId))?.data.filename).toBe('nightly.zip');
  });

  it('replaces a finished request with a new job', async () => {
    const rq = await producer.enqueueExport(request({ targetId: 7 }));
    const worker = new Worker(
      QUEUE_NAMES.export,
      async (job) => (job.id === rq.rqId ? 'archived' : Promise.reject(new Error('not this test'))),
      {
        connection: connection.duplicate({ maxRetriesPerRequest: null }),
        prefix,
        autorun: false,
      },
    );
    const done = new Promise((resolve) =>
      worker.on('completed', (job) => job.id === rq.rqId && resolve(job.returnvalue)),
    );
    void worker.run();
    // Other tests' jobs are in the same queue; they fail and stay put, this one completes.
    expect(await done).toBe('archived');
    await worker.close();
    expect(await (await producer.exports.getJob(rq.rqId))?.getState()).toBe('completed');

    const again = await producer.enqueueExport(
      request({ targetId: 7, requestedAt: new Date(Date.now() + 10).toISOString() }),
    );
    expect(again).toEqual({ rqId: rq.rqId, created: true });
    expect(await (await producer.exports.getJob(rq.rqId))?.getState()).toBe('waiting');
  });

  it('refuses an invalid payload with a coded error naming the field', async () => {
    await expect(producer.enqueueExport(request({ targetId: -1 }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('targetId'),
    });
    await expect(
      producer.enqueueExport({
        ...request(),
        destination: { location: 'cloud_storage' },
      } as unknown as ExportJobPayload),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('destination.cloudStorageId'),
    });
  });

  it('gives every import a new id', async () => {
    const base = {
      version: 1 as const,
      target: 'task' as const,
      userId: 1,
      source: { kind: 'staged' as const, key: 'uploads/a.zip' },
      requestedAt: new Date().toISOString(),
    };
    const a = await producer.enqueueImport(base);
    const b = await producer.enqueueImport(base);
    expect(a.rqId).not.toBe(b.rqId);
    expect((await producer.imports.getJob(a.rqId))?.data).toEqual(base);
    // An id derived from an upload, sent twice: the second finds the first.
    expect(await producer.enqueueImport(base, a.rqId)).toEqual({ rqId: a.rqId, created: false });
  });
});
