import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../core/api-client.js';
import { silentProgress } from '../output/progress.js';
import { type Received, recordingServer, tempHome } from '../testing/capture-io.js';
import { tusUpload } from './tus-upload.js';
import { UploadStateStore } from './upload-state.js';

/**
 * A TUS endpoint as the API's (Upload-Start, creation, HEAD, PATCH) that keeps bytes in memory;
 * `forget` drops every upload, as the staging sweep does.
 */
function tusServer() {
  const uploads = new Map<string, { length: number; data: Buffer }>();
  let next = 0;
  let patches = 0;
  /** PATCH numbers (1-based) whose chunk is stored but answered 409, as if the answer got lost. */
  const answer409 = new Set<number>();
  /** Refuse every PATCH with 409 without storing anything. */
  const stuck = { on: false };
  const handler = (request: Received, res: ServerResponse) => {
    const id = request.url.split('/').at(-1)!;
    const upload = uploads.get(id);
    if (request.method === 'POST' && request.headers['upload-start']) return res.writeHead(202).end();
    if (request.method === 'POST') {
      const fileId = `1_${++next}`;
      uploads.set(fileId, { length: Number(request.headers['upload-length']), data: Buffer.alloc(0) });
      return res
        .writeHead(201, {
          location: `http://other.host/api/tasks/backup/${fileId}`,
          'upload-filename': fileId,
        })
        .end();
    }
    if (!upload) return res.writeHead(404).end();
    if (request.method === 'HEAD')
      return res
        .writeHead(200, { 'upload-offset': upload.data.length, 'upload-length': upload.length })
        .end();
    if (stuck.on || Number(request.headers['upload-offset']) !== upload.data.length)
      return res.writeHead(409).end();
    upload.data = Buffer.concat([upload.data, request.raw]);
    if (answer409.has(++patches)) return res.writeHead(409).end();
    return res.writeHead(204, { 'upload-offset': upload.data.length }).end();
  };
  return { uploads, handler, answer409, stuck, forget: () => uploads.clear() };
}

describe('tusUpload', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup() {
    const home = await tempHome();
    const tus = tusServer();
    const server = await recordingServer((request, res) => tus.handler(request, res));
    cleanups.push(server.close, home.close);
    const file = path.join(home.dir, 'a.zip');
    const content = randomBytes(5000);
    await writeFile(file, content);
    const state = new UploadStateStore(path.join(home.dir, 'uploads'));
    const client = new ApiClient(server.url, 'tok');
    const options = { target: 'task' as const, file, chunkSize: 1024, progress: silentProgress, state };
    return { tus, server, file, content, state, client, options };
  }

  it('sends the file in chunks to the configured server, whatever host the Location names', async () => {
    const { tus, server, content, client, options } = await setup();
    const result = await tusUpload(client, options);
    expect(result).toMatchObject({ fileId: '1_1', bytes: 5000, resumedFrom: 0 });
    expect(tus.uploads.get('1_1')!.data.equals(content)).toBe(true);
    const patches = server.received.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.headers['upload-offset'])).toEqual(['0', '1024', '2048', '3072', '4096']);
    expect(patches[0]!.headers).toMatchObject({
      'tus-resumable': '1.0.0',
      'content-type': 'application/offset+octet-stream',
      authorization: 'Token tok',
    });
  });

  it('resumes from the offset the server reports, and starts over when the server forgot the upload', async () => {
    const { tus, server, content, client, options } = await setup();
    await tusUpload(client, options);
    // As if the first run had died after 2 KiB: the state file still names the upload.
    tus.uploads.get('1_1')!.data = content.subarray(0, 2048);
    const resumed = await tusUpload(client, options);
    expect(resumed).toMatchObject({ fileId: '1_1', resumedFrom: 2048 });
    expect(tus.uploads.get('1_1')!.data.equals(content)).toBe(true);

    tus.forget();
    const fresh = await tusUpload(client, options);
    expect(fresh).toMatchObject({ fileId: '1_2', resumedFrom: 0 });
    expect(server.received.filter((r) => r.method === 'POST' && !r.headers['upload-start'])).toHaveLength(2);
  });

  it('a changed file (other size or mtime) never resumes into the old upload', async () => {
    const { tus, file, client, options, state } = await setup();
    const first = await tusUpload(client, options);
    expect(await state.get(first.key)).toBeDefined();
    await writeFile(file, randomBytes(3000));
    const second = await tusUpload(client, options);
    expect(second).toMatchObject({ fileId: '1_2', resumedFrom: 0, bytes: 3000 });
    expect(tus.uploads.get('1_2')!.length).toBe(3000);
  });

  it('after a 409 goes on from the offset HEAD reports, and gives up rather than loop', async () => {
    const { tus, server, content, client, options } = await setup();
    tus.answer409.add(2);
    const result = await tusUpload(client, options);
    expect(result.bytes).toBe(5000);
    expect(tus.uploads.get('1_1')!.data.equals(content)).toBe(true);
    const offsets = server.received
      .filter((r) => r.method === 'PATCH')
      .map((r) => r.headers['upload-offset']);
    expect(offsets).toEqual(['0', '1024', '2048', '3072', '4096']);

    tus.forget();
    tus.stuck.on = true;
    await expect(tusUpload(client, options)).rejects.toMatchObject({ code: 'CLI_UNEXPECTED_RESPONSE' });
  });
});
