import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../core/api-client.js';
import { silentProgress } from '../output/progress.js';
import { recordingServer, sendJson, tempHome } from '../testing/capture-io.js';
import { dispositionFilename, download } from './download.js';

describe('dispositionFilename', () => {
  it('prefers filename*, reads quoted and bare names', () => {
    expect(dispositionFilename(`attachment; filename="a.zip"; filename*=UTF-8''t%C3%A4sk%20b.zip`)).toBe(
      'täsk b.zip',
    );
    expect(dispositionFilename('attachment; filename="say \\"hi\\".zip"')).toBe('say "hi".zip');
    expect(dispositionFilename('attachment; filename=plain.zip')).toBe('plain.zip');
    expect(dispositionFilename('attachment')).toBeUndefined();
    expect(dispositionFilename(null)).toBeUndefined();
  });
});

describe('download', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function serve(body: Buffer, options: { cutAfter?: number; name?: string } = {}) {
    const home = await tempHome();
    const server = await recordingServer((request, res) => {
      if (request.url.startsWith('/missing'))
        return sendJson(res, 404, { detail: 'expired', code: 'BACKUP_API_RESULT_EXPIRED' });
      res.writeHead(200, {
        'content-length': String(body.length),
        'content-disposition': `attachment; filename="${options.name ?? '../../evil/task.zip'}"`,
      });
      if (options.cutAfter === undefined) return res.end(body);
      res.write(body.subarray(0, options.cutAfter));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    cleanups.push(server.close, home.close);
    return { home, client: new ApiClient(server.url, 'tok'), server };
  }

  it('names the file from Content-Disposition, safely, inside a directory given as --out', async () => {
    const body = Buffer.alloc(100_000, 7);
    const { home, client, server } = await serve(body);
    const dir = path.join(home.dir, 'out');
    await mkdir(dir);
    // The server's absolute URL is followed on the configured server only.
    const saved = await download(client, 'http://elsewhere.example/api/result?rq_id=1', dir, silentProgress);
    expect(saved).toEqual({ path: path.join(dir, 'task.zip'), bytes: body.length });
    expect(await readFile(saved.path)).toEqual(body);
    expect(server.received[0]).toMatchObject({
      url: '/api/result?rq_id=1',
      headers: { authorization: 'Token tok' },
    });
  });

  it('leaves neither the final name nor a .part file when the connection breaks', async () => {
    const body = Buffer.alloc(300_000, 1);
    const { home, client } = await serve(body, { cutAfter: 1000, name: 'x.zip' });
    const out = path.join(home.dir, 'x.zip');
    await expect(download(client, '/api/result', out, silentProgress)).rejects.toMatchObject({
      code: 'CLI_DOWNLOAD_INCOMPLETE',
      exitCode: 5,
    });
    expect(existsSync(out)).toBe(false);
    expect(await readdir(home.dir)).not.toContain('x.zip.part');
  });

  it('reports the server error of an expired result (exit 4) and writes nothing', async () => {
    const { home, client } = await serve(Buffer.alloc(1));
    const out = path.join(home.dir, 'gone.zip');
    await expect(download(client, '/missing', out, silentProgress)).rejects.toMatchObject({
      code: 'BACKUP_API_RESULT_EXPIRED',
      exitCode: 4,
    });
    expect(existsSync(out)).toBe(false);
  });
});
