import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  createAzureContainer,
  createS3Bucket,
  s3Client,
  type TestBucket,
  testServices,
} from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';
import { jpeg, png } from '../../test/test-images.js';

describe('cloud storages and cloud-backed tasks (S3 emulator)', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  let bucket: TestBucket;
  const s3 = testServices().s3;
  const client = s3Client(s3);
  const images = {
    'images/a.png': png(40, 30),
    'images/b.jpg': jpeg(800, 600, 70_000),
    'other.png': png(2, 2),
  };
  const storageBody = (overrides: object = {}) => ({
    provider_type: 'AWS_S3_BUCKET',
    resource: bucket.name,
    display_name: 'bucket',
    credentials_type: 'KEY_SECRET_KEY_PAIR',
    key: s3.accessKeyId,
    secret_key: s3.secretAccessKey,
    specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}&region=${s3.region}`,
    ...overrides,
  });

  beforeAll(async () => {
    api = await openTestApi();
    [alice, bob] = await Promise.all([api.user(), api.user()]);
    bucket = await createS3Bucket();
    for (const [Key, Body] of Object.entries(images))
      await client.send(new PutObjectCommand({ Bucket: bucket.name, Key, Body }));
    const manifest = [
      { version: '1.1' },
      { type: 'images' },
      { name: 'images/a', extension: '.png', width: 40, height: 30, meta: { related_images: [] } },
      { name: 'images/b', extension: '.jpg', width: 800, height: 600, meta: { related_images: [] } },
    ];
    await client.send(
      new PutObjectCommand({
        Bucket: bucket.name,
        Key: 'manifest.jsonl',
        Body: manifest.map((l) => JSON.stringify(l)).join('\n'),
      }),
    );
  });
  afterAll(async () => {
    await api?.close();
    // s3rver answers a batch DeleteObjects over several folders with a 500 (seen), so the objects go
    // one by one before the testkit removes the bucket.
    for (const Key of [...Object.keys(images), 'manifest.jsonl'])
      await client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key }));
    await bucket?.remove();
    client.destroy();
  });

  const createStorage = async (user: TestUser, overrides: object = {}) => {
    const res = await user.call({
      method: 'POST',
      url: '/api/cloudstorages',
      payload: storageBody(overrides),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const newTask = async () =>
    (
      await alice.call({
        method: 'POST',
        url: '/api/tasks',
        payload: { name: 'cloud', labels: [{ name: 'car' }] },
      })
    ).json();

  it('creates, reads, lists, patches and deletes in CVAT’s shape; secrets are never returned', async () => {
    const created = await createStorage(alice, { manifests: ['manifest.jsonl'], description: 'd' });
    expect(created).toMatchObject({
      owner: { id: alice.id },
      provider_type: 'AWS_S3_BUCKET',
      resource: bucket.name,
      display_name: 'bucket',
      credentials_type: 'KEY_SECRET_KEY_PAIR',
      manifests: ['manifest.jsonl'],
      description: 'd',
      organization: null,
    });
    const text = JSON.stringify(created);
    for (const secret of ['key', 'secret_key', 'session_token', 'account_name', 'connection_string'])
      expect(created, secret).not.toHaveProperty(secret);
    expect(text).not.toContain(s3.secretAccessKey);
    const listed = (
      await alice.call({ method: 'GET', url: '/api/cloudstorages?provider_type=AWS_S3_BUCKET' })
    ).json();
    expect(listed.results.map((c: { id: number }) => c.id)).toContain(created.id);
    const patched = await alice.call({
      method: 'PATCH',
      url: `/api/cloudstorages/${created.id}`,
      payload: { display_name: 'renamed' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().display_name).toBe('renamed');
    const status = await alice.call({ method: 'GET', url: `/api/cloudstorages/${created.id}/status` });
    expect(status.json()).toBe('AVAILABLE');
    expect((await alice.call({ method: 'DELETE', url: `/api/cloudstorages/${created.id}` })).statusCode).toBe(
      204,
    );
    expect((await alice.call({ method: 'GET', url: `/api/cloudstorages/${created.id}` })).statusCode).toBe(
      404,
    );
  });

  it('refuses a missing bucket, a missing manifest, bad attributes and Google Drive', async () => {
    const missing = await alice.call({
      method: 'POST',
      url: '/api/cloudstorages',
      payload: storageBody({ resource: 'no-such-bucket-cvb' }),
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toHaveProperty('resource');
    const noManifest = await alice.call({
      method: 'POST',
      url: '/api/cloudstorages',
      payload: storageBody({ manifests: ['nope.jsonl'] }),
    });
    expect(noManifest.json()).toHaveProperty('manifests');
    const badAttrs = await alice.call({
      method: 'POST',
      url: '/api/cloudstorages',
      payload: storageBody({ specific_attributes: 'a=b=c' }),
    });
    expect(badAttrs.statusCode).toBe(400);
    expect(badAttrs.json()).toHaveProperty('specific_attributes');
    const drive = await alice.call({
      method: 'POST',
      url: '/api/cloudstorages',
      payload: storageBody({ provider_type: 'GOOGLE_DRIVE' }),
    });
    expect(drive.statusCode).toBe(400);
    const unknownField = await alice.call({
      method: 'POST',
      url: '/api/cloudstorages',
      payload: storageBody({ colour: 'x' }),
    });
    expect(unknownField.statusCode).toBe(400);
  });

  it('lists bucket content one level deep, directories first, in pages', async () => {
    const storage = await createStorage(alice);
    const root = (
      await alice.call({ method: 'GET', url: `/api/cloudstorages/${storage.id}/content-v2` })
    ).json();
    expect(root).toEqual({
      next: null,
      content: [
        { name: 'images', type: 'DIR', mime_type: 'DIR' },
        { name: 'manifest.jsonl', type: 'REG', mime_type: 'unknown' },
        { name: 'other.png', type: 'REG', mime_type: 'image' },
      ],
    });
    const page = (
      await alice.call({
        method: 'GET',
        url: `/api/cloudstorages/${storage.id}/content-v2?prefix=images/&page_size=1`,
      })
    ).json();
    expect(page).toEqual({ next: '1', content: [{ name: 'a.png', type: 'REG', mime_type: 'image' }] });
    const next = (
      await alice.call({
        method: 'GET',
        url: `/api/cloudstorages/${storage.id}/content-v2?prefix=images&page_size=1&next_token=1`,
      })
    ).json();
    expect(next).toEqual({ next: null, content: [{ name: 'b.jpg', type: 'REG', mime_type: 'image' }] });
    const bad = await alice.call({
      method: 'GET',
      url: `/api/cloudstorages/${storage.id}/content-v2?page_size=abc`,
    });
    expect(bad.statusCode).toBe(400);
  });

  it('creates a task from server_files by reading object headers, serves frames from the bucket', async () => {
    const storage = await createStorage(alice);
    const task = await newTask();
    const res = await alice.call({
      method: 'POST',
      url: `/api/tasks/${task.id}/data`,
      payload: { image_quality: 70, server_files: ['images/'], cloud_storage_id: storage.id },
    });
    expect(res.statusCode, res.body).toBe(202);
    const meta = (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/data/meta` })).json();
    expect(meta).toMatchObject({
      storage: 'cloud_storage',
      cloud_storage_id: storage.id,
      frames: [
        { name: 'images/a.png', width: 40, height: 30 },
        { name: 'images/b.jpg', width: 800, height: 600 },
      ],
    });
    expect(
      (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}` })).json().data_cloud_storage_id,
    ).toBe(storage.id);
    const frame = await alice.call({
      method: 'GET',
      url: `/api/tasks/${task.id}/data?type=frame&number=1&quality=original`,
    });
    expect(frame.statusCode).toBe(200);
    expect(frame.headers['content-type']).toBe('image/jpeg');
    expect(frame.rawPayload.equals(images['images/b.jpg'])).toBe(true);
  });

  it('creates a task from a manifest in the bucket', async () => {
    const storage = await createStorage(alice, { manifests: ['manifest.jsonl'] });
    const task = await newTask();
    const res = await alice.call({
      method: 'POST',
      url: `/api/tasks/${task.id}/data`,
      payload: { image_quality: 70, server_files: ['manifest.jsonl'], cloud_storage_id: storage.id },
    });
    expect(res.statusCode, res.body).toBe(202);
    const meta = (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}/data/meta` })).json();
    expect(meta.frames.map((f: { name: string }) => f.name)).toEqual(['images/a.png', 'images/b.jpg']);
    const notListed = await alice.call({
      method: 'POST',
      url: `/api/tasks/${(await newTask()).id}/data`,
      payload: {
        image_quality: 70,
        server_files: ['manifest.jsonl', 'other.png'],
        cloud_storage_id: storage.id,
      },
    });
    expect(notListed.statusCode).toBe(400);
    expect(notListed.json().server_files[0]).toContain('not in the manifest');
  });

  it('a detached task refuses frames with a clear 409 until a cloud storage is attached', async () => {
    const storage = await createStorage(alice);
    const task = await newTask();
    await alice.call({
      method: 'POST',
      url: `/api/tasks/${task.id}/data`,
      payload: { image_quality: 70, server_files: ['images/a.png'], cloud_storage_id: storage.id },
    });
    const detach = await alice.call({
      method: 'PATCH',
      url: `/api/tasks/${task.id}/data/meta`,
      payload: { cloud_storage_id: null },
    });
    expect(detach.statusCode).toBe(200);
    expect(detach.json()).toMatchObject({ storage: 'cloud_storage', cloud_storage_id: null });
    const refused = await alice.call({
      method: 'GET',
      url: `/api/tasks/${task.id}/data?type=frame&number=0&quality=original`,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'API_CLOUD_STORAGE_DETACHED' });
    expect(refused.json().detail).toContain('attach a cloud storage to this task');

    const others = await createStorage(bob);
    const foreign = await alice.call({
      method: 'PATCH',
      url: `/api/tasks/${task.id}/data/meta`,
      payload: { cloud_storage_id: others.id },
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().detail).toContain('does not exist');

    const attach = await alice.call({
      method: 'PATCH',
      url: `/api/tasks/${task.id}/data/meta`,
      payload: { cloud_storage_id: storage.id },
    });
    expect(attach.statusCode).toBe(200);
    expect(attach.json().cloud_storage_id).toBe(storage.id);
    expect(
      (await alice.call({ method: 'GET', url: `/api/tasks/${task.id}` })).json().data_cloud_storage_id,
    ).toBe(storage.id);
    const served = await alice.call({
      method: 'GET',
      url: `/api/tasks/${task.id}/data?type=frame&number=0&quality=original`,
    });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(images['images/a.png'])).toBe(true);
  });

  it('refuses to attach a cloud storage whose bucket is gone, or one to a task whose data is local', async () => {
    const storage = await createStorage(alice);
    const task = await newTask();
    await alice.call({
      method: 'POST',
      url: `/api/tasks/${task.id}/data`,
      payload: { image_quality: 70, server_files: ['images/a.png'], cloud_storage_id: storage.id },
    });
    const doomed = await createS3Bucket();
    const broken = await createStorage(alice, { resource: doomed.name });
    await doomed.remove();
    const res = await alice.call({
      method: 'PATCH',
      url: `/api/tasks/${task.id}/data/meta`,
      payload: { cloud_storage_id: broken.id },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('API_CLOUD_STORAGE_UNAVAILABLE');
    expect((await alice.call({ method: 'GET', url: `/api/cloudstorages/${broken.id}/status` })).json()).toBe(
      'NOT_FOUND',
    );

    const local = (
      await alice.call({ method: 'POST', url: '/api/tasks', payload: { name: 'l', labels: [{ name: 'a' }] } })
    ).json();
    const { payload, headers } = multipartBody([{ name: 'a.png', content: png(2, 2) }], {
      image_quality: '70',
    });
    await alice.call({ method: 'POST', url: `/api/tasks/${local.id}/data`, payload, headers });
    const onLocal = await alice.call({
      method: 'PATCH',
      url: `/api/tasks/${local.id}/data/meta`,
      payload: { cloud_storage_id: storage.id },
    });
    expect(onLocal.statusCode).toBe(400);
    expect(onLocal.json()).toHaveProperty('cloud_storage_id');
  });
});

describe('cloud storages on Azure (Azurite)', () => {
  let api: TestApi;
  let alice: TestUser;
  let container: TestBucket;
  const azure = testServices().azure;
  beforeAll(async () => {
    api = await openTestApi();
    alice = await api.user();
    container = await createAzureContainer();
  });
  afterAll(async () => {
    await api?.close();
    await container?.remove();
  });

  it('checks the credentials before saving: a wrong account key is an error on credentials', async () => {
    const body = {
      provider_type: 'AZURE_CONTAINER',
      resource: container.name,
      display_name: 'azure',
      credentials_type: 'CONNECTION_STRING',
      connection_string: azure.connectionString,
    };
    const ok = await alice.call({ method: 'POST', url: '/api/cloudstorages', payload: body });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).not.toHaveProperty('connection_string');
    expect(
      (await alice.call({ method: 'GET', url: `/api/cloudstorages/${ok.json().id}/status` })).json(),
    ).toBe('AVAILABLE');
    const wrongKey = azure.connectionString.replace(
      /AccountKey=[^;]+/,
      `AccountKey=${Buffer.alloc(64, 1).toString('base64')}`,
    );
    const denied = await alice.call({
      method: 'POST',
      url: '/api/cloudstorages',
      payload: { ...body, connection_string: wrongKey },
    });
    expect(denied.statusCode).toBe(400);
    expect(denied.json()).toHaveProperty('credentials');
    expect(denied.body).not.toContain(Buffer.alloc(64, 1).toString('base64'));
  });
});
