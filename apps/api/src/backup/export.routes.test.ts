import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Bucket, s3Client, type TestBucket, testServices } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';
import { png } from '../../test/test-images.js';

/** Export endpoints up to the queue: no worker runs here, so every request stays queued. */
describe('backup export endpoints', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  let bucket: TestBucket;
  let localTask: number;
  let cloudTask: number;
  let emptyTask: number;
  let project: number;
  let storage: number;

  /** The error text of a response: `{detail}` or DRF's `{field: [text]}`. */
  const message = (body: string): string => {
    const json = JSON.parse(body);
    return json.detail ?? (Object.values(json)[0] as string[])[0]!;
  };
  const queued = () => api.services.backup!.producer.exports.getJobCounts('waiting');
  const post = async (user: TestUser, url: string, payload: object) => {
    const res = await user.call({ method: 'POST', url, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as number;
  };

  beforeAll(async () => {
    api = await openTestApi();
    alice = await api.user();
    bob = await api.user();
    project = await post(alice, '/api/projects', { name: 'p', labels: [{ name: 'car' }] });
    localTask = await post(alice, '/api/tasks', { name: 'local', project_id: project });
    const upload = multipartBody([{ name: 'a.png', content: png(4, 4) }], { image_quality: '70' });
    const data = await alice.call({ method: 'POST', url: `/api/tasks/${localTask}/data`, ...upload });
    expect(data.statusCode, data.body).toBe(202);
    emptyTask = await post(alice, '/api/tasks', { name: 'empty', labels: [{ name: 'car' }] });

    bucket = await createS3Bucket();
    const s3 = testServices().s3;
    const client = s3Client(s3);
    await client.send(new PutObjectCommand({ Bucket: bucket.name, Key: 'a.png', Body: png(4, 4) }));
    client.destroy();
    storage = await post(alice, '/api/cloudstorages', {
      provider_type: 'AWS_S3_BUCKET',
      resource: bucket.name,
      display_name: 'b',
      credentials_type: 'KEY_SECRET_KEY_PAIR',
      key: s3.accessKeyId,
      secret_key: s3.secretAccessKey,
      specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}&region=${s3.region}`,
    });
    cloudTask = await post(alice, '/api/tasks', { name: 'cloud', labels: [{ name: 'car' }] });
    const cloud = await alice.call({
      method: 'POST',
      url: `/api/tasks/${cloudTask}/data`,
      payload: { image_quality: 70, server_files: ['a.png'], cloud_storage_id: storage },
    });
    expect(cloud.statusCode, cloud.body).toBe(202);
  });
  afterAll(async () => {
    await api?.close();
    await bucket?.remove();
  });

  it('answers 202 {rq_id} in CVAT’s id format, then 409 with the same id while it is in flight', async () => {
    const url = `/api/tasks/${localTask}/backup/export`;
    const first = await alice.call({ method: 'POST', url });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({
      rq_id: `action=export&target=task&target_id=${localTask}&user_id=${alice.id}&subresource=backup`,
    });
    const second = await alice.call({ method: 'POST', url });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toEqual(first.json());
    // Unlike CVAT, another file name or target storage is another archive: its own request, not a 409.
    const named = await alice.call({ method: 'POST', url, query: { filename: 'other.zip' } });
    expect(named.statusCode).toBe(202);
    expect(named.json().rq_id).not.toBe(first.json().rq_id);
    const cloud = await alice.call({
      method: 'POST',
      url,
      query: { location: 'cloud_storage', cloud_storage_id: String(storage) },
    });
    expect(cloud.statusCode).toBe(202);
    expect(new Set([first.json().rq_id, named.json().rq_id, cloud.json().rq_id]).size).toBe(3);
    const again = await alice.call({ method: 'POST', url, query: { filename: 'other.zip' } });
    expect([again.statusCode, again.json()]).toEqual([409, named.json()]);
    const job = await api.services.backup!.producer.exports.getJob(first.json().rq_id);
    expect(job?.data).toMatchObject({
      target: 'task',
      projectId: project,
      lightweight: false,
      destination: { location: 'local' },
    });
    // As CVAT, a task export names the task's project, so the project's filter lists it.
    const listed = await alice.call({
      method: 'GET',
      url: '/api/requests',
      query: { project_id: String(project), task_id: String(localTask) },
    });
    expect(listed.json().results.map((r: { operation: object }) => r.operation)).toContainEqual(
      expect.objectContaining({ type: 'export:backup', project_id: project, task_id: localTask }),
    );
  });

  it('keeps lightweight only for cloud-backed data (task, or a project with such a task)', async () => {
    const cloud = await alice.call({
      method: 'POST',
      url: `/api/tasks/${cloudTask}/backup/export`,
      query: { lightweight: 'true' },
    });
    expect(cloud.json().rq_id).toContain('&lightweight=True&');
    const local = await alice.call({
      method: 'POST',
      url: `/api/projects/${project}/backup/export`,
      query: { lightweight: 'true' },
    });
    expect(local.statusCode).toBe(202);
    expect(local.json().rq_id).not.toContain('lightweight');
    const plain = await alice.call({ method: 'GET', url: `/api/tasks/${cloudTask}/backup` });
    expect(plain.statusCode).toBe(202);
    expect(plain.json().rq_id).not.toContain('lightweight');
  });

  it('takes the cloud target from the query and sanitises a custom name', async () => {
    const other = await post(alice, '/api/projects', { name: 'q', labels: [{ name: 'car' }] });
    const res = await alice.call({
      method: 'POST',
      url: `/api/projects/${other}/backup/export`,
      query: { location: 'cloud_storage', cloud_storage_id: String(storage), filename: 'dir/My: copy' },
    });
    expect(res.statusCode).toBe(202);
    const job = await api.services.backup!.producer.exports.getJob(res.json().rq_id);
    expect(job?.data).toMatchObject({
      destination: { location: 'cloud_storage', cloudStorageId: storage },
      filename: 'My_ copy.zip',
    });
  });

  it('uses the resource’s target_storage by default and the query when use_default_location=false', async () => {
    const task = await post(alice, '/api/tasks', {
      name: 'targeted',
      labels: [{ name: 'car' }],
      target_storage: { location: 'cloud_storage', cloud_storage_id: storage },
    });
    const upload = multipartBody([{ name: 'a.png', content: png(4, 4) }], { image_quality: '70' });
    await alice.call({ method: 'POST', url: `/api/tasks/${task}/data`, ...upload });
    const byDefault = await alice.call({ method: 'GET', url: `/api/tasks/${task}/backup` });
    const job = await api.services.backup!.producer.exports.getJob(byDefault.json().rq_id);
    expect(job?.data.destination).toEqual({ location: 'cloud_storage', cloudStorageId: storage });
    await job?.remove();
    const explicit = await alice.call({
      method: 'POST',
      url: `/api/tasks/${task}/backup/export`,
      query: { use_default_location: 'false' },
    });
    const local = await api.services.backup!.producer.exports.getJob(explicit.json().rq_id);
    expect(local?.data.destination).toEqual({ location: 'local' });
  });

  it('refuses bad requests before anything is queued', async () => {
    const before = await queued();
    const cases: Array<[string, Record<string, string>, number, RegExp]> = [
      [`/api/tasks/${emptyTask}/backup/export`, {}, 400, /Backup of a task without data is not allowed/],
      [`/api/tasks/${localTask}/backup/export`, { location: 'cloud_storage' }, 400, /cloud storage id/],
      [`/api/tasks/${localTask}/backup/export`, { location: 'ftp' }, 400, /Unexpected location "ftp"/],
      [
        `/api/tasks/${localTask}/backup/export`,
        { location: 'cloud_storage', cloud_storage_id: 'x' },
        400,
        /integer/,
      ],
      [
        `/api/tasks/${localTask}/backup/export`,
        { location: 'cloud_storage', cloud_storage_id: '99999' },
        404,
        /Cloud storage 99999/,
      ],
      [`/api/tasks/${localTask}/backup/export`, { lightweight: 'maybe' }, 400, /lightweight/],
      [`/api/tasks/${localTask}/backup/export`, { filename: '...' }, 400, /cannot be used/],
      [`/api/tasks/${localTask}/backup`, { action: 'open' }, 400, /Unexpected action/],
      [`/api/tasks/999999/backup/export`, {}, 404, /Not found/],
    ];
    for (const [url, query, status, text] of cases) {
      const res = await alice.call({ method: url.endsWith('export') ? 'POST' : 'GET', url, query });
      expect(res.statusCode, `${url} ${JSON.stringify(query)}: ${res.body}`).toBe(status);
      expect(message(res.body)).toMatch(text);
    }
    expect(await queued()).toEqual(before);
  });

  it('refuses another user’s cloud storage as a target with 404', async () => {
    const res = await bob.call({
      method: 'POST',
      url: '/api/projects',
      payload: { name: 'bob', labels: [{ name: 'x' }] },
    });
    const bobs = await bob.call({
      method: 'POST',
      url: `/api/projects/${res.json().id}/backup/export`,
      query: { location: 'cloud_storage', cloud_storage_id: String(storage) },
    });
    expect(bobs.statusCode).toBe(404);
    expect(bobs.json().code).toBe('BACKUP_API_CLOUD_STORAGE_NOT_FOUND');
  });

  it('polls the legacy GET with 202 while queued and refuses a download before it finished', async () => {
    const url = `/api/projects/${project}/backup`;
    const first = await alice.call({ method: 'GET', url });
    expect(first.statusCode).toBe(202);
    const again = await alice.call({ method: 'GET', url });
    expect([again.statusCode, again.json()]).toEqual([202, first.json()]);
    const early = await alice.call({ method: 'GET', url, query: { action: 'download' } });
    expect(early.statusCode).toBe(400);
    expect(early.json().detail).toMatch(/not finished/);
  });

  it('checks the rq_id of a download: missing, invalid, for another resource, unknown, unfinished', async () => {
    const url = `/api/tasks/${localTask}/backup/download`;
    const rqId = `action=export&target=task&target_id=${localTask}&user_id=${alice.id}&subresource=backup`;
    const other = `action=export&target=task&target_id=${cloudTask}&user_id=${alice.id}&subresource=backup`;
    const unknown = `action=export&target=task&target_id=${localTask}&user_id=${alice.id}&lightweight=True&subresource=backup`;
    const cases: Array<[Record<string, string>, number, string]> = [
      [{}, 400, 'Missing request id in the query parameters'],
      [{ rq_id: 'garbage' }, 400, 'Invalid export request id'],
      [{ rq_id: other }, 400, 'Invalid export request id'],
      [{ rq_id: unknown }, 400, 'Unknown export request id'],
      [
        { rq_id: rqId },
        400,
        'The export process is not finished; poll the request until its status is "finished".',
      ],
    ];
    for (const [query, status, text] of cases) {
      const res = await alice.call({ method: 'GET', url, query });
      expect(res.statusCode, res.body).toBe(status);
      expect(message(res.body)).toBe(text);
    }
    const foreign = await bob.call({ method: 'GET', url, query: { rq_id: rqId } });
    expect(foreign.statusCode).toBe(404);
  });
});
