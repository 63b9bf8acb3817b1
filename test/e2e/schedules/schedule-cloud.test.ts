/**
 * A schedule writing to an S3 bucket (s3rver) with a real worker: archives land under their rendered
 * names, retention deletes only this schedule's objects (an on-demand export in the same bucket
 * survives), a cloud archive is listed but not downloaded through the API, and deleting the schedule
 * with its archives deletes its objects (and only those).
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Bucket, s3Client, type TestBucket, testServices } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpUser, settled } from '../backup-http/backup-api.js';
import { createLocalTask, json, registerS3Storage } from '../backup-http/task-backup.js';
import { openScheduleE2e, runNow as runNowAs, type ScheduleE2e, waitFor } from './schedule-e2e.js';

const BASE = '/api/backup-schedules';

describe('a schedule with a cloud target', () => {
  let e2e: ScheduleE2e;
  let alice: HttpUser;
  let bucket: TestBucket;
  let storage: number;
  let tasks: number[];

  beforeAll(async () => {
    e2e = await openScheduleE2e();
    alice = await e2e.user();
    bucket = await createS3Bucket();
    storage = await registerS3Storage(alice, bucket.name);
    tasks = [await createLocalTask(alice, 'north'), await createLocalTask(alice, 'south')];
    await e2e.worker().start();
  }, 180_000);
  afterAll(async () => {
    await e2e?.close();
    await bucket?.remove().catch(() => undefined);
  }, 60_000);

  const keys = async () => {
    const client = s3Client(testServices().s3);
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket.name }));
    client.destroy();
    return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
  };
  const runNow = (id: number) => runNowAs(alice, id);

  it('writes rendered names to the bucket and retention deletes only its own objects', async () => {
    const query = `location=cloud_storage&cloud_storage_id=${storage}&filename=on-demand.zip`;
    const rq = await json(
      await alice.call(`/api/tasks/${tasks[0]}/backup/export?${query}`, { method: 'POST' }),
      202,
    );
    expect((await settled(alice, rq.rq_id as string)).status).toBe('finished');

    const s = (
      await json(
        await alice.call(BASE, {
          method: 'POST',
          json: {
            name: 'to s3',
            cron: '0 4 * * 0',
            scope: { type: 'tasks_outside_projects' },
            target_storage: { location: 'cloud_storage', cloud_storage_id: storage },
            name_template: 'nightly-{{id}}-{{date}}',
            skip_unchanged: false,
            retention: { keep_last: 1 },
          },
        }),
        201,
      )
    ).id as number;
    const first = await runNow(s);
    expect(first).toMatchObject({ status: 'finished', done: 2, total: 2 });
    const afterFirst = await keys();
    expect(afterFirst.filter((k) => k.startsWith('nightly-'))).toHaveLength(2);
    // {{date}} has a one-second resolution: the next run must get names of its own.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await runNow(s);
    expect(second).toMatchObject({ status: 'finished', done: 2 });

    const archives = (await json(await alice.call(`${BASE}/${s}/archives`), 200)).results as Array<{
      id: number;
      run_id: number;
      location: string;
      cloud_storage_id: number;
      filename: string;
    }>;
    expect(archives).toHaveLength(2);
    expect(archives.every((a) => a.run_id === second.id && a.location === 'cloud_storage')).toBe(true);
    expect(archives.every((a) => a.cloud_storage_id === storage)).toBe(true);
    const now = await keys();
    expect(now).toEqual(['on-demand.zip', ...archives.map((a) => a.filename)].sort());
    for (const a of archives)
      expect(a.filename).toMatch(new RegExp(`^nightly-(${tasks.join('|')})-\\d{4}(_\\d\\d){5}\\.zip$`));

    const download = await alice.call(`${BASE}/${s}/archives/${archives[0]!.id}/download`);
    expect(download.status).toBe(400);
    expect(((await download.json()) as { code: string }).code).toBe('SCHEDULE_ARCHIVE_NOT_LOCAL');

    const purge = await alice.call(`${BASE}/${s}?delete_archives=true`, { method: 'DELETE' });
    expect(purge.status).toBe(202);
    await waitFor('the schedule gone', async () =>
      (await alice.call(`${BASE}/${s}`)).status === 404 ? true : undefined,
    );
    expect(await keys()).toEqual(['on-demand.zip']);
  }, 300_000);
});
