import { QUEUE_NAMES } from '@cvat-backup/queue';
import { testServices } from '@cvat-backup/testkit';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';
import { png } from '../../test/test-images.js';

const TTL_SECONDS = 2;

/**
 * CVAT's legacy export poll (`GET /api/tasks/{id}/backup`) once the archive is gone: CVAT has
 * forgotten the job by then (it deletes it after `action=download`), so the next GET starts a new
 * export (202) instead of announcing a finished one (201) whose download is 404 "expired".
 */
describe('legacy export poll after the archive expired', () => {
  let api: TestApi;
  let alice: TestUser;
  let connection: Redis;
  let worker: Worker;
  let runs = 0;

  const taskWithData = async () => {
    const created = await alice.call({
      method: 'POST',
      url: '/api/tasks',
      payload: { name: 't', labels: [{ name: 'a' }] },
    });
    const id = created.json().id as number;
    const upload = multipartBody([{ name: 'a.png', content: png(4, 4) }], { image_quality: '70' });
    const data = await alice.call({ method: 'POST', url: `/api/tasks/${id}/data`, ...upload });
    expect(data.statusCode, data.body).toBe(202);
    return id;
  };

  /** Polls the legacy GET until it stops answering 202 (the stand-in worker finishes the job). */
  const pollUntilDone = async (url: string) => {
    for (let i = 0; i < 100; i++) {
      const res = await alice.call({ method: 'GET', url });
      if (res.statusCode !== 202) return res;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${url} stayed 202`);
  };

  beforeAll(async () => {
    api = await openTestApi({ backup: { resultTtlSeconds: TTL_SECONDS } });
    alice = await api.user();
    connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    const archives = api.services.backup!.archives;
    // Stands in for the export worker: writes a small archive and returns the outcome it would.
    worker = new Worker(
      QUEUE_NAMES.export,
      async (job) => {
        runs++;
        const task = await api.catalog.tasks.get({ id: alice.id, isAdmin: false }, job.data.targetId);
        const key = `test/${job.data.targetId}-${runs}.zip`;
        const write = archives.openWrite(key);
        write.end(Buffer.from('PK'));
        await write.commit();
        return {
          location: 'local',
          cloudStorageId: null,
          key,
          filename: 'backup.zip',
          size: 2,
          resourceUpdatedDate: task!.updated_date.toISOString(),
          lightweight: false,
          reused: false,
        };
      },
      { connection, prefix: api.queuePrefix },
    );
  });
  afterAll(async () => {
    await worker?.close();
    connection?.disconnect();
    await api?.close();
  });

  it('starts a new export when the archive was removed from the store', async () => {
    const url = `/api/tasks/${await taskWithData()}/backup`;
    const first = await alice.call({ method: 'GET', url });
    expect(first.statusCode).toBe(202);
    const rqId = first.json().rq_id as string;
    expect((await pollUntilDone(url)).statusCode).toBe(201);
    const job = await api.services.backup!.producer.exports.getJob(rqId);
    await api.services.backup!.archives.delete(job!.returnvalue.key);
    const download = await alice.call({ method: 'GET', url, query: { action: 'download' } });
    expect([download.statusCode, download.json().detail]).toEqual([
      404,
      'The exported file has expired, please retry exporting',
    ]);
    const again = await alice.call({ method: 'GET', url });
    expect([again.statusCode, again.json()]).toEqual([202, { rq_id: rqId }]);
    const done = await pollUntilDone(url);
    expect(done.statusCode).toBe(201);
    expect((await alice.call({ method: 'GET', url, query: { action: 'download' } })).statusCode).toBe(200);
  });

  it('starts a new export once the result TTL passed', async () => {
    const url = `/api/tasks/${await taskWithData()}/backup`;
    await alice.call({ method: 'GET', url });
    expect((await pollUntilDone(url)).statusCode).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 100));
    const expired = await alice.call({ method: 'GET', url, query: { action: 'download' } });
    expect(expired.statusCode).toBe(404);
    expect((await alice.call({ method: 'GET', url })).statusCode).toBe(202);
    expect((await pollUntilDone(url)).statusCode).toBe(201);
  });
});
