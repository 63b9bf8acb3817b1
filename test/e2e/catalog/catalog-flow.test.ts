/**
 * The catalog end to end through HTTP against the built API process (`apps/api/dist/main.js`): it
 * migrates its own database and creates the first admin on start; a registered user creates a project
 * with skeleton and attribute labels, a task with uploaded images and a task from an S3 bucket (the
 * emulator), puts annotations of every kind and reads them back equal; a detached cloud task refuses
 * frames until a cloud storage is attached.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  createS3Bucket,
  createTestDatabase,
  s3Client,
  type TestBucket,
  type TestDatabase,
  testServices,
} from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiProcess } from '../support/api-process.js';
import { apiTestModules, type LabelView } from './api-test-modules.js';

const { png, jpeg } = await apiTestModules.images();
const { sampleLabels, sampleAnnotations, withoutIds } = await apiTestModules.samples();

describe('catalog through HTTP (API process)', () => {
  let db: TestDatabase;
  let dataRoot: string;
  let api: ApiProcess;
  let base: string;
  let bucket: TestBucket;
  let alice: string;
  const admin = { username: 'root-admin', password: randomBytes(9).toString('base64url') };
  const s3 = testServices().s3;
  const s3c = s3Client(s3);
  const media = { 'frames/one.png': png(64, 48), 'frames/two.jpg': jpeg(320, 240, 100_000) };
  const uploads = [
    { name: 'b.png', content: png(100, 50) },
    { name: 'a.jpg', content: jpeg(1280, 720, 500) },
  ];

  const call = async (
    method: string,
    url: string,
    options: { token?: string; json?: unknown; form?: FormData } = {},
  ) => {
    const headers: Record<string, string> = options.token ? { authorization: `Token ${options.token}` } : {};
    let body: string | FormData | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) body = options.form;
    return fetch(`${base}${url}`, { method, headers, ...(body ? { body } : {}) });
  };
  const json = async (
    method: string,
    url: string,
    status: number,
    options: Parameters<typeof call>[2] = {},
  ) => {
    const res = await call(method, url, options);
    const text = await res.text();
    expect(res.status, `${method} ${url}: ${text}`).toBe(status);
    return text ? JSON.parse(text) : undefined;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-e2e-catalog-'));
    bucket = await createS3Bucket();
    for (const [Key, Body] of Object.entries(media))
      await s3c.send(new PutObjectCommand({ Bucket: bucket.name, Key, Body }));
    api = new ApiProcess({
      DATA_ROOT: dataRoot,
      DATABASE_URL: db.url,
      REDIS_URL: testServices().redisUrl,
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      SECRET_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
    });
    await api.start();
    base = api.base;
  });

  afterAll(async () => {
    await api?.stop();
    for (const Key of Object.keys(media))
      await s3c.send(new DeleteObjectCommand({ Bucket: bucket.name, Key })).catch(() => {});
    await bucket?.remove();
    s3c.destroy();
    await db?.drop();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  it('created the first admin from the environment; a user registers and logs in', async () => {
    const { key } = await json('POST', '/api/auth/login', 200, { json: admin });
    const self = await json('GET', '/api/users/self', 200, { token: key });
    expect(self).toMatchObject({ username: admin.username, is_superuser: true, is_staff: true });
    const registered = await json('POST', '/api/auth/register', 201, {
      json: {
        username: 'alice-e2e',
        email: 'alice@example.com',
        password1: 'alice-pass-1',
        password2: 'alice-pass-1',
      },
    });
    expect(registered.key).toMatch(/^[0-9a-f]{40}$/);
    alice = (
      await json('POST', '/api/auth/login', 200, {
        json: { email: 'alice@example.com', password: 'alice-pass-1' },
      })
    ).key;
    expect((await call('GET', '/api/projects')).status).toBe(401);
  });

  it('a project with skeleton and attribute labels; a task in it with uploaded images; annotations of every kind read back equal', async () => {
    const project = await json('POST', '/api/projects', 201, {
      token: alice,
      json: { name: 'e2e project', labels: sampleLabels },
    });
    const task = await json('POST', '/api/tasks', 201, {
      token: alice,
      json: { name: 'uploaded', project_id: project.id },
    });
    const form = new FormData();
    form.append('image_quality', '75');
    for (const [i, u] of uploads.entries()) {
      form.append(`client_files[${i}]`, new Blob([new Uint8Array(u.content)]), u.name);
    }
    await json('POST', `/api/tasks/${task.id}/data`, 202, { token: alice, form });

    const meta = await json('GET', `/api/tasks/${task.id}/data/meta`, 200, { token: alice });
    expect(meta.frames).toEqual([
      { width: 1280, height: 720, name: 'a.jpg', related_files: 0, has_related_context: false },
      { width: 100, height: 50, name: 'b.png', related_files: 0, has_related_context: false },
    ]);
    const frame = await call('GET', `/api/tasks/${task.id}/data?type=frame&number=1&quality=original`, {
      token: alice,
    });
    expect(frame.status).toBe(200);
    expect(frame.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await frame.arrayBuffer()).equals(uploads[0]!.content)).toBe(true);

    const labels = (await json('GET', `/api/labels?task_id=${task.id}`, 200, { token: alice }))
      .results as LabelView[];
    expect(labels.map((l) => l.name).sort()).toEqual(['car', 'person', 'weather']);
    const data = sampleAnnotations(labels);
    const saved = await json('PUT', `/api/tasks/${task.id}/annotations/`, 200, { token: alice, json: data });
    expect(withoutIds(saved)).toEqual({ ...data, intervals: [] });
    const read = await json('GET', `/api/tasks/${task.id}/annotations`, 200, { token: alice });
    expect(read).toEqual(saved);
    const [job] = (await json('GET', `/api/jobs?task_id=${task.id}`, 200, { token: alice })).results;
    expect(await json('GET', `/api/jobs/${job.id}/annotations`, 200, { token: alice })).toEqual(saved);
  });

  it('a task from the S3 bucket: frames come from the bucket; detached, it refuses frames until attached', async () => {
    const storage = await json('POST', '/api/cloudstorages', 201, {
      token: alice,
      json: {
        provider_type: 'AWS_S3_BUCKET',
        resource: bucket.name,
        display_name: 'emulator',
        credentials_type: 'KEY_SECRET_KEY_PAIR',
        key: s3.accessKeyId,
        secret_key: s3.secretAccessKey,
        specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}&region=${s3.region}`,
      },
    });
    expect(JSON.stringify(storage)).not.toContain(s3.secretAccessKey);
    const task = await json('POST', '/api/tasks', 201, {
      token: alice,
      json: { name: 'from cloud', labels: sampleLabels },
    });
    await json('POST', `/api/tasks/${task.id}/data`, 202, {
      token: alice,
      json: { image_quality: 70, server_files: Object.keys(media), cloud_storage_id: storage.id },
    });
    const meta = await json('GET', `/api/tasks/${task.id}/data/meta`, 200, { token: alice });
    expect(meta).toMatchObject({ storage: 'cloud_storage', cloud_storage_id: storage.id, size: 2 });
    expect(meta.frames.map((f: { width: number; height: number }) => [f.width, f.height])).toEqual([
      [64, 48],
      [320, 240],
    ]);
    const frameUrl = `/api/tasks/${task.id}/data?type=frame&number=1&quality=original`;
    const frame = await call('GET', frameUrl, { token: alice });
    expect(frame.status).toBe(200);
    expect(Buffer.from(await frame.arrayBuffer()).equals(media['frames/two.jpg'])).toBe(true);

    const labels = (await json('GET', `/api/labels?task_id=${task.id}`, 200, { token: alice }))
      .results as LabelView[];
    const data = sampleAnnotations(labels);
    const saved = await json('PUT', `/api/tasks/${task.id}/annotations`, 200, { token: alice, json: data });
    expect(withoutIds(await json('GET', `/api/tasks/${task.id}/annotations`, 200, { token: alice }))).toEqual(
      { ...data, intervals: [] },
    );
    expect(saved.tracks).toHaveLength(2);

    // Detached (as after a lightweight restore): frames are refused with a clear 4xx.
    const detached = await json('PATCH', `/api/tasks/${task.id}/data/meta`, 200, {
      token: alice,
      json: { cloud_storage_id: null },
    });
    expect(detached).toMatchObject({ storage: 'cloud_storage', cloud_storage_id: null });
    expect(
      (await json('GET', `/api/tasks/${task.id}`, 200, { token: alice })).data_cloud_storage_id,
    ).toBeNull();
    const refused = await call('GET', frameUrl, { token: alice });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { detail: string }).detail).toContain(
      'attach a cloud storage to this task',
    );

    const attached = await json('PATCH', `/api/tasks/${task.id}/data/meta`, 200, {
      token: alice,
      json: { cloud_storage_id: storage.id },
    });
    expect(attached.cloud_storage_id).toBe(storage.id);
    expect((await json('GET', `/api/tasks/${task.id}`, 200, { token: alice })).data_cloud_storage_id).toBe(
      storage.id,
    );
    const served = await call('GET', frameUrl, { token: alice });
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(media['frames/two.jpg'])).toBe(true);
  });
});
