import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createS3Bucket, testServices } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';

const LIMIT = 64 * 1024;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** One multipart body with the given file fields and plain fields. */
function form(files: Record<string, Buffer>, fields: Record<string, string> = {}) {
  const boundary = `----cvb${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  for (const [name, content] of Object.entries(files))
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="b.zip"\r\nContent-Type: application/zip\r\n\r\n`,
      ),
      content,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Import endpoints up to the queue (no worker here): uploads, TUS, cloud keys, legacy polling. */
describe('backup import endpoints', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  const staged = async () =>
    (await readdir(path.join(api.dataRoot, 'staging'), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(path.join(api.dataRoot, 'staging'), path.join(e.parentPath, e.name)));
  const job = (rqId: string) => api.services.backup!.producer.imports.getJob(rqId);

  beforeAll(async () => {
    api = await openTestApi({ backup: { uploadLimitBytes: LIMIT } });
    alice = await api.user();
    bob = await api.user();
  });
  afterAll(async () => api?.close());

  it('stages a multipart task_file and answers 202 with an import request id', async () => {
    const content = randomBytes(5000);
    const res = await alice.call({
      method: 'POST',
      url: '/api/tasks/backup',
      ...form({ task_file: content }),
    });
    expect(res.statusCode, res.body).toBe(202);
    const { rq_id } = res.json();
    expect(rq_id).toMatch(new RegExp(`^action=import&target=task&id=${UUID}&subresource=backup$`));
    const data = (await job(rq_id))?.data;
    expect(data).toMatchObject({ target: 'task', userId: alice.id, originalFilename: 'b.zip' });
    expect(await readFile(path.join(api.dataRoot, 'staging', data.source.key))).toEqual(content);
  });

  it('refuses a missing, misnamed or oversized file and stages nothing', async () => {
    const before = await staged();
    const cases: Array<[string, ReturnType<typeof form>, number, string]> = [
      ['/api/tasks/backup', form({}, { a: 'b' }), 400, 'task_file'],
      ['/api/projects/backup', form({ task_file: Buffer.from('x') }), 400, 'task_file'],
      ['/api/tasks/backup', form({ task_file: randomBytes(LIMIT + 1) }), 413, 'BACKUP_API_UPLOAD_TOO_LARGE'],
    ];
    for (const [url, body, status, text] of cases) {
      const res = await alice.call({ method: 'POST', url, ...body });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.body).toContain(text);
    }
    const empty = await alice.call({ method: 'POST', url: '/api/projects/backup' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toHaveProperty('project_file');
    expect(await staged()).toEqual(before);
  });

  it('runs CVAT’s TUS flow: start, create, chunks with a HEAD resume, finish', async () => {
    const content = randomBytes(3 * 1024 + 17);
    const start = await alice.call({
      method: 'POST',
      url: '/api/tasks/backup',
      headers: { 'upload-start': '' },
    });
    expect([start.statusCode, start.body]).toEqual([202, '']);
    const created = await alice.call({
      method: 'POST',
      url: '/api/tasks/backup/',
      headers: {
        'tus-resumable': '1.0.0',
        'upload-length': String(content.length),
        'upload-metadata': `filename ${Buffer.from('my backup.zip').toString('base64')},filetype ${Buffer.from('application/zip').toString('base64')}`,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const fileId = created.headers['upload-filename'] as string;
    expect(fileId).toMatch(new RegExp(`^${alice.id}_${UUID}$`));
    expect(created.headers.location).toBe(`http://localhost/api/tasks/backup/${fileId}`);
    expect(created.headers).toMatchObject({ 'tus-resumable': '1.0.0', 'tus-max-size': String(LIMIT) });
    const url = `/api/tasks/backup/${fileId}`;
    const patch = (user: TestUser, offset: number, body: Buffer, type = 'application/offset+octet-stream') =>
      user.call({
        method: 'PATCH',
        url,
        payload: body,
        headers: { 'content-type': type, 'upload-offset': String(offset), 'tus-resumable': '1.0.0' },
      });
    const first = await patch(alice, 0, content.subarray(0, 1024));
    expect([first.statusCode, first.headers['upload-offset']]).toEqual([204, '1024']);
    expect((await patch(alice, 0, content.subarray(0, 10))).statusCode).toBe(409);
    expect((await patch(alice, 1024, content.subarray(1024), 'application/json')).statusCode).toBe(400);
    expect(
      (await patch(alice, 1024, Buffer.concat([content.subarray(1024), Buffer.from('!')]))).statusCode,
    ).toBe(413);
    expect((await patch(bob, 1024, content.subarray(1024, 2048))).statusCode).toBe(403);
    expect((await bob.call({ method: 'HEAD', url })).statusCode).toBe(403);
    const early = await alice.call({
      method: 'POST',
      url: '/api/tasks/backup',
      query: { filename: fileId },
      headers: { 'upload-finish': '' },
    });
    expect(early.statusCode).toBe(400);
    expect(early.json().code).toBe('BACKUP_API_UPLOAD_INCOMPLETE');

    const second = await patch(alice, 1024, content.subarray(1024, 2048));
    expect(second.headers['upload-offset']).toBe('2048');
    const head = await alice.call({ method: 'HEAD', url });
    expect([head.statusCode, head.headers['upload-offset'], head.headers['upload-length']]).toEqual([
      200,
      '2048',
      String(content.length),
    ]);
    expect((await patch(alice, 2048, content.subarray(2048))).headers['upload-offset']).toBe(
      String(content.length),
    );

    const finish = () =>
      alice.call({
        method: 'POST',
        url: '/api/tasks/backup',
        query: { filename: fileId },
        headers: { 'upload-finish': '' },
      });
    const done = await finish();
    expect(done.statusCode, done.body).toBe(202);
    expect(done.json().rq_id).toBe(`action=import&target=task&id=${fileId.split('_')[1]}&subresource=backup`);
    const data = (await job(done.json().rq_id))?.data;
    expect(data).toMatchObject({ originalFilename: 'my backup.zip', source: { kind: 'staged' } });
    expect(await readFile(path.join(api.dataRoot, 'staging', data.source.key))).toEqual(content);
    expect((await staged()).filter((k) => k.startsWith('tus/'))).toEqual([]);
    const again = await finish();
    expect([again.statusCode, again.json().detail]).toEqual([400, 'No such file were uploaded']);
  });

  it('points the TUS Location at the page’s Origin when it is a bare http(s) origin', async () => {
    // As CVAT (HTTP_ORIGIN + PATH_INFO): a browser behind a TLS proxy gets its page's https origin
    // back, not the http the proxy spoke to us; an Origin that is not a bare http(s) origin is ignored.
    const locationFor = async (origin: string) => {
      const res = await alice.call({
        method: 'POST',
        url: '/api/tasks/backup/',
        headers: { 'tus-resumable': '1.0.0', 'upload-length': '1', origin },
      });
      expect(res.statusCode, res.body).toBe(201);
      return (res.headers.location as string).replace(res.headers['upload-filename'] as string, '{id}');
    };
    expect(await locationFor('https://cvat.example.org')).toBe(
      'https://cvat.example.org/api/tasks/backup/{id}',
    );
    expect(await locationFor('https://cvat.example.org:8443')).toBe(
      'https://cvat.example.org:8443/api/tasks/backup/{id}',
    );
    for (const bad of [
      'null',
      'ftp://cvat.example.org',
      'https://cvat.example.org/x',
      'https://u:p@h.org',
      'nonsense',
    ])
      expect(await locationFor(bad), bad).toBe('http://localhost/api/tasks/backup/{id}');
  });

  it('refuses TUS uploads over the limit, unknown ids and bad headers', async () => {
    const create = (length: string) =>
      alice.call({ method: 'POST', url: '/api/tasks/backup/', headers: { 'upload-length': length } });
    expect((await create(String(LIMIT + 1))).statusCode).toBe(413);
    expect((await create('-1')).statusCode).toBe(400);
    const unknown = `${alice.id}_00000000-0000-4000-8000-000000000000`;
    expect((await alice.call({ method: 'HEAD', url: `/api/tasks/backup/${unknown}` })).statusCode).toBe(404);
    expect((await alice.call({ method: 'HEAD', url: '/api/tasks/backup/not-an-id' })).statusCode).toBe(404);
    const finish = await bob.call({
      method: 'POST',
      url: '/api/projects/backup',
      query: { filename: unknown },
      headers: { 'upload-finish': '' },
    });
    expect([finish.statusCode, finish.json().detail]).toEqual([400, 'No such file were uploaded']);
  });

  it('imports from a cloud storage key after checking the storage and the filename', async () => {
    const bucket = await createS3Bucket();
    const s3 = testServices().s3;
    const s = await alice.call({
      method: 'POST',
      url: '/api/cloudstorages',
      payload: {
        provider_type: 'AWS_S3_BUCKET',
        resource: bucket.name,
        display_name: 'b',
        credentials_type: 'KEY_SECRET_KEY_PAIR',
        key: s3.accessKeyId,
        secret_key: s3.secretAccessKey,
        specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}&region=${s3.region}`,
      },
    });
    await bucket.remove();
    const storage = s.statusCode === 201 ? (s.json().id as number) : undefined;
    const query = (extra: Record<string, string>) => ({ location: 'cloud_storage', ...extra });
    const send = (user: TestUser, q: Record<string, string>) =>
      user.call({ method: 'POST', url: '/api/tasks/backup', query: q });
    expect((await send(alice, query({}))).statusCode).toBe(400);
    expect((await send(alice, query({ cloud_storage_id: '424242', filename: 'a.zip' }))).statusCode).toBe(
      404,
    );
    if (storage === undefined) return expect.fail(`cloud storage not created: ${s.body}`);
    const noName = await send(alice, query({ cloud_storage_id: String(storage) }));
    expect([noName.statusCode, noName.json()]).toEqual([
      400,
      { filename: ['The filename was not specified: add filename=<object key in the cloud storage>.'] },
    ]);
    expect(
      (await send(bob, query({ cloud_storage_id: String(storage), filename: 'a.zip' }))).statusCode,
    ).toBe(404);
    const outside = await send(alice, query({ cloud_storage_id: String(storage), filename: '../a.zip' }));
    expect([outside.statusCode, outside.json().code]).toEqual([400, 'STORAGE_KEY_INVALID']);
    const ok = await send(alice, query({ cloud_storage_id: String(storage), filename: 'dir/a.zip' }));
    expect(ok.statusCode).toBe(202);
    expect((await job(ok.json().rq_id))?.data.source).toEqual({
      kind: 'cloud_storage',
      cloudStorageId: storage,
      key: 'dir/a.zip',
    });
  });

  it('restores into a visible project only (project_id)', async () => {
    const project = (
      await alice.call({ method: 'POST', url: '/api/projects', payload: { name: 'p' } })
    ).json();
    const body = () => form({ task_file: Buffer.from('zip') });
    const ok = await alice.call({
      method: 'POST',
      url: '/api/tasks/backup',
      query: { project_id: String(project.id) },
      ...body(),
    });
    expect((await job(ok.json().rq_id))?.data.projectId).toBe(project.id);
    const foreign = await bob.call({
      method: 'POST',
      url: '/api/tasks/backup',
      query: { project_id: String(project.id) },
      ...body(),
    });
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'BACKUP_PROJECT_NOT_FOUND']);
  });

  it('answers the legacy poll with 202 while queued; 403 for another user, 404 for an unknown id', async () => {
    const res = await alice.call({
      method: 'POST',
      url: '/api/tasks/backup',
      ...form({ task_file: Buffer.from('zip') }),
    });
    const { rq_id } = res.json();
    const byQuery = await alice.call({ method: 'POST', url: '/api/tasks/backup', query: { rq_id } });
    expect([byQuery.statusCode, byQuery.json()]).toEqual([202, { rq_id }]);
    const byForm = await alice.call({ method: 'POST', url: '/api/tasks/backup', ...form({}, { rq_id }) });
    expect([byForm.statusCode, byForm.json()]).toEqual([202, { rq_id }]);
    expect((await bob.call({ method: 'POST', url: '/api/tasks/backup', query: { rq_id } })).statusCode).toBe(
      403,
    );
    expect(
      (await alice.call({ method: 'POST', url: '/api/projects/backup', query: { rq_id } })).statusCode,
    ).toBe(404);
    const unknown = rq_id.replace(/id=[^&]+/, 'id=00000000-0000-4000-8000-000000000000');
    expect(
      (await alice.call({ method: 'POST', url: '/api/tasks/backup', query: { rq_id: unknown } })).statusCode,
    ).toBe(404);
  });
});
