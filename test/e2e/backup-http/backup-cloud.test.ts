/**
 * Backups of cloud-backed tasks and cloud targets/sources over HTTP with a real worker: a lightweight
 * backup leaves the media out, its restore stays detached until a cloud storage is attached, then
 * serves frames; an archive written to a bucket restores from its key.
 */
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createS3Bucket, s3Client, type TestBucket, testServices } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackupApi, fileForm, type HttpUser, openBackupApi, settled, until } from './backup-api.js';
import { annotate, IMAGES, json, registerS3Storage } from './task-backup.js';

describe('cloud backups over HTTP with a real worker', () => {
  let api: BackupApi;
  let alice: HttpUser;
  let bucket: TestBucket;
  let storage: number;
  let task: number;
  const s3 = () => s3Client(testServices().s3);

  beforeAll(async () => {
    api = await openBackupApi();
    alice = await api.user();
    bucket = await createS3Bucket();
    const client = s3();
    for (const [i, img] of IMAGES.entries())
      await client.send(new PutObjectCommand({ Bucket: bucket.name, Key: `imgs/f${i}.png`, Body: img }));
    client.destroy();
    storage = await registerS3Storage(alice, bucket.name);
    task = (
      await json(
        await alice.call('/api/tasks', {
          method: 'POST',
          json: { name: 'cloud task', labels: [{ name: 'car' }] },
        }),
        201,
      )
    ).id as number;
    await json(
      await alice.call(`/api/tasks/${task}/data`, {
        method: 'POST',
        json: {
          image_quality: 70,
          server_files: IMAGES.map((_, i) => `imgs/f${i}.png`),
          cloud_storage_id: storage,
        },
      }),
      202,
    );
    await annotate(alice, task);
    await api.worker.start();
  });
  afterAll(async () => {
    await api?.close();
    // testkit's batch DeleteObjects answered s3rver's InternalError for this bucket; single deletes work.
    const client = s3();
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket.name }));
    for (const o of page.Contents ?? [])
      await client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: o.Key }));
    client.destroy();
    await bucket?.remove();
  });

  const exportAndDownload = async (query: string) => {
    const { rq_id } = await json(
      await alice.call(`/api/tasks/${task}/backup/export?${query}`, { method: 'POST' }),
      202,
    );
    const request = await settled(alice, rq_id as string);
    expect(request.status, String(request.message)).toBe('finished');
    const res = await alice.call(request.result_url as string);
    expect(res.status).toBe(200);
    return {
      request,
      disposition: res.headers.get('content-disposition') ?? '',
      body: Buffer.from(await res.arrayBuffer()),
    };
  };

  it('makes a lightweight backup without media, restores it detached, and serves frames once attached', async () => {
    const light = await exportAndDownload('lightweight=true');
    expect(light.request.id).toContain('&lightweight=True&');
    expect(light.request.operation).toMatchObject({ lightweight: true });
    expect(light.disposition).toMatch(/filename="task_cloud task_backup-lightweight_/);
    expect(light.body.includes('data/manifest.jsonl')).toBe(true);
    expect(light.body.includes('data/imgs/f0.png')).toBe(false);
    const full = await exportAndDownload('lightweight=false');
    expect(full.body.includes('data/imgs/f0.png')).toBe(true);
    expect(light.body.length).toBeLessThan(full.body.length);

    const started = await json(
      await alice.call('/api/tasks/backup', { method: 'POST', body: fileForm('task_file', light.body) }),
      202,
    );
    const restore = await settled(alice, started.rq_id as string);
    expect(restore.status, String(restore.message)).toBe('finished');
    const id = restore.result_id as number;
    const restored = await json(await alice.call(`/api/tasks/${id}`), 200);
    expect(restored.data_cloud_storage_id).toBeNull();
    const frame = () => alice.call(`/api/tasks/${id}/data?type=frame&number=1&quality=original`);
    expect((await frame()).status).toBeGreaterThanOrEqual(400);
    // A full backup of the detached task fails in the worker; the legacy GET reports it with its code
    // once, then starts over.
    const legacy = `/api/tasks/${id}/backup`;
    expect((await alice.call(legacy)).status).toBe(202);
    const failure = await until('failed legacy export', async () => {
      const res = await alice.call(legacy);
      return res.status === 202
        ? undefined
        : { status: res.status, body: (await res.json()) as { code: string } };
    });
    expect(failure).toMatchObject({ status: 400, body: { code: 'BACKUP_CLOUD_STORAGE_DETACHED' } });
    expect((await alice.call(legacy)).status).toBe(202);
    await json(
      await alice.call(`/api/tasks/${id}/data/meta`, {
        method: 'PATCH',
        json: { cloud_storage_id: storage },
      }),
      200,
    );
    const served = await frame();
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(IMAGES[1]);
    const shapes = await json(await alice.call(`/api/tasks/${id}/annotations`), 200);
    expect(shapes.shapes).toMatchObject([{ type: 'rectangle', frame: 1 }]);
  });

  it('writes a backup to the bucket and restores a task from that key', async () => {
    const query = `location=cloud_storage&cloud_storage_id=${storage}&filename=backups/copy.zip`;
    const { rq_id } = await json(
      await alice.call(`/api/tasks/${task}/backup/export?${query}`, { method: 'POST' }),
      202,
    );
    const request = await settled(alice, rq_id as string);
    expect(request).toMatchObject({ status: 'finished', result_url: null });
    const client = s3();
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: 'copy.zip' }));
    client.destroy();
    expect(head.ContentLength).toBeGreaterThan(0);
    // The legacy GET with the same parameters sees the finished cloud backup: 200, nothing to download.
    const legacy = await alice.call(`/api/tasks/${task}/backup?${query}`);
    expect(legacy.status).toBe(200);
    expect((await alice.call(`/api/tasks/${task}/backup?${query}&action=download`)).status).toBe(400);
    const local = await alice.call(
      `/api/tasks/${task}/backup/download?rq_id=${encodeURIComponent(rq_id as string)}`,
    );
    expect([local.status, ((await local.json()) as { detail: string }).detail]).toEqual([
      400,
      'The export process has no result file to be downloaded locally',
    ]);

    const started = await json(
      await alice.call(
        `/api/tasks/backup?location=cloud_storage&cloud_storage_id=${storage}&filename=copy.zip`,
        { method: 'POST' },
      ),
      202,
    );
    const restore = await settled(alice, started.rq_id as string);
    expect(restore.status, String(restore.message)).toBe('finished');
    const restored = await json(await alice.call(`/api/tasks/${restore.result_id}`), 200);
    expect(restored.name).toBe('cloud task');
  });

  it('fails a restore from a missing key with a coded message', async () => {
    const started = await json(
      await alice.call(
        `/api/tasks/backup?location=cloud_storage&cloud_storage_id=${storage}&filename=nothing.zip`,
        { method: 'POST' },
      ),
      202,
    );
    const restore = await settled(alice, started.rq_id as string);
    expect(restore.status).toBe('failed');
    expect(restore.message).toMatch(/^STORAGE_OBJECT_NOT_FOUND: /);
  });
});
