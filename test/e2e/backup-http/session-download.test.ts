/**
 * The CVAT UI's way through a backup: log in (cookies only), ask for the export with the CSRF header,
 * then download `result_url` by plain browser navigation, which carries the session cookie and nothing
 * else. Over real HTTP, with a real worker writing the archive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackupApi, type HttpUser, openBackupApi, settled } from './backup-api.js';
import { createLocalTask, json } from './task-backup.js';

describe('a browser session exports and downloads a backup', () => {
  let api: BackupApi;
  let owner: HttpUser;
  let task: number;
  /** What the browser sends back after the login: its cookies, and the CSRF token the UI reads. */
  let browser: { session: string; csrf: string; cookie: string };

  beforeAll(async () => {
    api = await openBackupApi();
    owner = await api.user();
    task = await createLocalTask(owner, 'browser task');
    const account = await api.catalog.users.get(owner.id);
    // openBackupApi gives every user this password.
    const login = await fetch(new URL('/api/auth/login', api.base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: account?.username, password: 'secret-pass-1' }),
    });
    await json(login, 200);
    const jar = new Map(
      login.headers.getSetCookie().map((line) => {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        return [pair.slice(0, eq), pair.slice(eq + 1)] as const;
      }),
    );
    const session = jar.get('sessionid') ?? '';
    const csrf = jar.get('csrftoken') ?? '';
    browser = { session, csrf, cookie: `sessionid=${session}; csrftoken=${csrf}` };
    await api.worker.start();
  });
  afterAll(async () => api?.close());

  it('exports with cookie + X-CSRFToken and downloads result_url with the session cookie alone', async () => {
    const exportUrl = new URL(`/api/tasks/${task}/backup/export`, api.base);
    const refused = await fetch(exportUrl, { method: 'POST', headers: { cookie: browser.cookie } });
    expect((await json(refused, 403)).detail).toBe('CSRF Failed: CSRF token missing.');
    const { rq_id } = await json(
      await fetch(exportUrl, {
        method: 'POST',
        headers: { cookie: browser.cookie, 'x-csrftoken': browser.csrf },
      }),
      202,
    );
    const request = await settled(owner, rq_id as string);
    expect(request.status).toBe('finished');
    const resultUrl = request.result_url as string;

    const navigation = await fetch(resultUrl, {
      headers: { cookie: `sessionid=${browser.session}` },
    });
    const archive = Buffer.from(await navigation.arrayBuffer());
    expect(navigation.status, archive.toString('utf8', 0, 300)).toBe(200);
    expect(navigation.headers.get('content-disposition')).toContain('.zip');
    expect(archive.subarray(0, 2).toString()).toBe('PK');

    const anonymous = await fetch(resultUrl);
    expect(anonymous.status).toBe(401);
  });
});
