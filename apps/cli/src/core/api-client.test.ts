import { afterEach, describe, expect, it } from 'vitest';
import { recordingServer, sendJson } from '../testing/capture-io.js';
import { ApiClient } from './api-client.js';

describe('ApiClient', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function client(token: string | undefined) {
    const server = await recordingServer((request, res) => {
      const [, status] = /\/status\/(\d+)/.exec(request.url) ?? [];
      if (request.url.startsWith('/fields'))
        return sendJson(res, 400, { project_id: ['must be a positive integer'] });
      if (request.url.startsWith('/text')) return res.writeHead(502).end('bad gateway');
      if (status)
        return sendJson(res, Number(status), { detail: `status ${status}`, code: `CODE_${status}` });
      return sendJson(res, 200, { ok: true, query: request.url });
    });
    cleanups.push(server.close);
    return { server, api: new ApiClient(server.url, token) };
  }

  it('sends the token and query, and reads JSON', async () => {
    const { server, api } = await client('tok');
    const { body } = await api.json('GET', '/x', { query: { a: 1, b: undefined, c: true } });
    expect(body).toEqual({ ok: true, query: '/x?a=1&c=true' });
    expect(server.received[0]!.headers.authorization).toBe('Token tok');
  });

  it('turns error answers into coded errors with their exit codes', async () => {
    const { api } = await client('tok');
    const expectError = (path: string, error: object) =>
      expect(api.call('GET', path)).rejects.toMatchObject(error);
    await expectError('/status/401', { code: 'CODE_401', exitCode: 3, message: 'status 401' });
    await expectError('/status/404', { code: 'CODE_404', exitCode: 4 });
    await expectError('/status/409', { code: 'CODE_409', exitCode: 1 });
    await expectError('/status/503', { code: 'CODE_503', exitCode: 5 });
    await expectError('/fields', {
      code: 'HTTP_400',
      exitCode: 1,
      message: 'project_id: must be a positive integer',
    });
    await expectError('/text', { code: 'HTTP_502', exitCode: 5, message: 'bad gateway' });
    expect((await api.call('GET', '/status/409', { accept: [409] })).status).toBe(409);
  });

  it('asks for a login before sending anything without a token; an unreachable server is exit 5', async () => {
    const { server, api } = await client(undefined);
    await expect(api.call('GET', '/x')).rejects.toMatchObject({ code: 'CLI_NOT_LOGGED_IN', exitCode: 3 });
    expect(server.received).toHaveLength(0);
    const closed = await recordingServer(() => undefined);
    await closed.close();
    await expect(new ApiClient(closed.url, 't').call('GET', '/x')).rejects.toMatchObject({
      code: 'CLI_SERVER_UNREACHABLE',
      exitCode: 5,
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
