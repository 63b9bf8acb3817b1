import { afterEach, describe, expect, it } from 'vitest';
import { silentProgress } from '../output/progress.js';
import { recordingServer, sendJson } from '../testing/capture-io.js';
import { ApiClient } from './api-client.js';
import { type RequestView, waitForRequest } from './requests.js';

const view = (over: Partial<RequestView>) => ({
  id: 'rq',
  status: 'started',
  message: '',
  progress: 0,
  finished_date: null,
  result_url: null,
  result_id: null,
  ...over,
});

describe('waitForRequest', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function answering(views: object[]) {
    const server = await recordingServer((_request, res) => sendJson(res, 200, views.shift()));
    cleanups.push(server.close);
    return { server, client: new ApiClient(server.url, 't') };
  }

  it('reports phases and asks again while a finished answer lacks its outcome', async () => {
    const date = '2026-01-01T00:00:00.000Z';
    const { server, client } = await answering([
      view({ status: 'queued' }),
      view({ message: 'writing-media', progress: 0.5 }),
      view({ status: 'finished', progress: 1 }),
      view({ status: 'finished', progress: 1, finished_date: date, result_url: 'http://x/r' }),
    ]);
    const phases: Array<[string, number]> = [];
    const progress = { ...silentProgress, phase: (name: string, f: number) => phases.push([name, f]) };
    const done = await waitForRequest(client, 'a b', progress, async () => undefined);
    expect(done.result_url).toBe('http://x/r');
    expect(phases).toEqual([
      ['queued', 0],
      ['writing-media', 0.5],
      ['started', 1],
    ]);
    expect(server.received[0]!.url).toBe('/api/requests/a%20b');
  });

  it('throws the job failure with its code and the exit code its registry status gives', async () => {
    const date = '2026-01-01T00:00:00.000Z';
    const failed = (message: string) => view({ status: 'failed', finished_date: date, message });
    const { client } = await answering([
      failed('ARCHIVE_CRC_MISMATCH: damaged'),
      failed('STORAGE_OBJECT_NOT_FOUND: no object'),
      failed('SOMETHING_UNKNOWN: odd'),
      failed('no code at all'),
    ]);
    const wait = () => waitForRequest(client, 'rq', silentProgress, async () => undefined);
    await expect(wait()).rejects.toMatchObject({
      code: 'ARCHIVE_CRC_MISMATCH',
      message: 'damaged',
      exitCode: 6,
    });
    await expect(wait()).rejects.toMatchObject({ code: 'STORAGE_OBJECT_NOT_FOUND', exitCode: 4 });
    await expect(wait()).rejects.toMatchObject({ code: 'SOMETHING_UNKNOWN', exitCode: 1 });
    await expect(wait()).rejects.toMatchObject({
      code: 'CLI_REQUEST_FAILED',
      message: 'no code at all',
      exitCode: 1,
    });
  });
});
