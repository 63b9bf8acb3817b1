/**
 * `cvat-backup` end to end: the built CLI process against the backup HTTP API and a real worker
 * process. Every --json answer is parsed strictly (one document, nothing else on stdout).
 */
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupApi, HttpUser } from '../backup-http/backup-api.js';
import { createLocalTask, expectSameTask } from '../backup-http/task-backup.js';
import { type CliHome, cliHome } from './cli-runner.js';
import { type CliSystem, login, openCliSystem, PASSWORD } from './cli-system.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;

describe('cvat-backup against a running system', () => {
  let system: CliSystem;
  let api: BackupApi;
  let user: HttpUser;
  let username: string;
  let home: CliHome;
  let task: number;
  let archive: string;

  beforeAll(async () => {
    system = await openCliSystem();
    ({ api, user, username, home } = system);
    task = await createLocalTask(user, 'cli round trip');
  });

  afterAll(async () => {
    await system?.close();
  });

  it('logs in with --password-stdin and keeps only the token, mode 0600', async () => {
    const out = await login(system);
    expect(out).toMatchObject({ server: api.base, username });
    const file = path.join(home.dir, 'config', 'cvat-backup', 'config.json');
    expect(out.config).toBe(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = await readFile(file, 'utf8');
    expect(stored).not.toContain(PASSWORD);
    expect(JSON.parse(stored)).toMatchObject({ server: api.base, username, token: expect.any(String) });
  });

  it('refuses a wrong password with exit code 3 and no token stored', async () => {
    const other = await cliHome({ CVAT_BACKUP_SERVER: api.base });
    try {
      const out = await other.json(['login', '-u', username, '--password-stdin'], 3, { input: 'wrong-pass' });
      expect(out).toEqual({ error: { code: 'API_LOGIN_FAILED', message: expect.any(String) } });
      expect(existsSync(path.join(other.dir, 'config', 'cvat-backup', 'config.json'))).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('backs up a task to a file that verifies, and restores it as a new task', async () => {
    archive = path.join(home.dir, 'task.zip');
    const backup = await home.json(['task', 'backup', String(task), '--out', archive]);
    expect(backup).toEqual({
      target: 'task',
      id: task,
      rq_id: expect.any(String),
      location: 'local',
      file: archive,
      bytes: (await stat(archive)).size,
    });
    expect(existsSync(`${archive}.part`)).toBe(false);

    const verified = await home.json(['verify', archive]);
    expect(verified).toMatchObject({ valid: true, kind: 'task', name: 'cli round trip' });
    expect(verified.tasks).toMatchObject([{ media: 3, shapes: 1 }]);

    const restored = await home.json(['task', 'restore', archive]);
    expect(restored).toMatchObject({
      target: 'task',
      rq_id: expect.any(String),
      id: expect.any(Number),
      source: { file: archive, bytes: (await stat(archive)).size, resumed_from: 0 },
    });
    await expectSameTask(user, task, restored.id as number);

    const shown = await home.json(['requests', 'show', restored.rq_id as string]);
    expect(shown).toMatchObject({ id: restored.rq_id, status: 'finished', result_id: restored.id });
    const listed = await home.json(['requests', 'list']);
    expect((listed.results as Array<{ id: string }>).map((r) => r.id)).toEqual(
      expect.arrayContaining([backup.rq_id, restored.rq_id]),
    );
  });

  it('names the download after the server (Content-Disposition) and prints no control characters off a terminal', async () => {
    const run = await home.run(['task', 'backup', String(task)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^task \d+ backed up to .*task_cli round trip_backup.*\.zip\n$/);
    expect(run.stderr).toMatch(/download: .* in /);
    expect(CONTROL.test(run.stdout + run.stderr), JSON.stringify(run)).toBe(false);
  });

  it('restores a task into a project', async () => {
    const project = (await (
      await user.call('/api/projects', { method: 'POST', json: { name: 'p', labels: [{ name: 'car' }] } })
    ).json()) as { id: number };
    const restored = await home.json(['task', 'restore', archive, '--project', String(project.id)]);
    const created = (await (await user.call(`/api/tasks/${restored.id}`)).json()) as { project_id: number };
    expect(created.project_id).toBe(project.id);
  });

  it('answers with stable exit codes and JSON errors', async () => {
    expect(await home.json(['task', 'backup', '999999'], 4)).toEqual({
      error: { code: expect.any(String), message: expect.any(String) },
    });
    const badToken = await home.json(['requests', 'list'], 3, { env: { CVAT_BACKUP_TOKEN: 'not-a-token' } });
    expect(badToken.error).toMatchObject({ code: 'API_TOKEN_INVALID' });
    expect(await home.json(['requests', 'show', 'no-such-request'], 4)).toMatchObject({
      error: { code: 'BACKUP_API_REQUEST_NOT_FOUND' },
    });

    const damaged = Buffer.from(await readFile(archive));
    // The first entry's content starts after its 30-byte local header and name: flip a byte there.
    const nameLength = damaged.readUInt16LE(26) + damaged.readUInt16LE(28);
    damaged[30 + nameLength] = damaged[30 + nameLength]! ^ 0xff;
    const bad = path.join(home.dir, 'damaged.zip');
    await writeFile(bad, damaged);
    const verdict = await home.json(['verify', bad], 6);
    expect(verdict.error).toMatchObject({ code: 'ARCHIVE_CRC_MISMATCH' });
    const human = await home.run(['verify', bad]);
    expect({ code: human.code, stdout: human.stdout }).toEqual({ code: 6, stdout: '' });
    expect(human.stderr).toMatch(/^error: INVALID: .*damaged\.zip: .* \[ARCHIVE_CRC_MISMATCH\]\n$/);

    await writeFile(path.join(home.dir, 'not.zip'), 'plain text');
    expect((await home.json(['verify', path.join(home.dir, 'not.zip')], 6)).error).toMatchObject({
      code: expect.stringMatching(/^ARCHIVE_/),
    });
    expect((await home.json(['verify', path.join(home.dir, 'missing.zip')], 4)).error).toMatchObject({
      code: 'CLI_FILE_NOT_FOUND',
    });
    expect((await home.json(['task', 'restore', path.join(home.dir, 'missing.zip')], 4)).error).toMatchObject(
      {
        code: 'CLI_FILE_NOT_FOUND',
      },
    );
    expect((await home.json(['task', 'backup', 'x'], 2)).error).toMatchObject({ code: 'CLI_USAGE' });
    expect((await home.json(['task', 'backup'], 2)).error).toMatchObject({ code: 'CLI_USAGE' });
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const down = await home.json(['requests', 'list'], 5, {
      env: { CVAT_BACKUP_SERVER: nobody, CVAT_BACKUP_TOKEN: user.token },
    });
    expect(down.error).toMatchObject({ code: 'CLI_SERVER_UNREACHABLE' });
    // The stored token belongs to another server, so none is sent there.
    const elsewhere = await home.json(['requests', 'list'], 3, {
      env: { CVAT_BACKUP_SERVER: nobody },
    });
    expect(elsewhere.error).toMatchObject({ code: 'CLI_NOT_LOGGED_IN' });
  });

  it('queues without waiting, shows and cancels a request no worker has taken', async () => {
    await api.worker.stop();
    const queued = await home.json(['task', 'backup', String(task), '--no-wait']);
    expect(queued).toEqual({ target: 'task', id: task, rq_id: expect.any(String), status: 'queued' });
    const rqId = queued.rq_id as string;
    expect(await home.json(['requests', 'show', rqId])).toMatchObject({ id: rqId, status: 'queued' });
    const queuedList = await home.json(['requests', 'list', '--status', 'queued']);
    expect((queuedList.results as Array<{ id: string }>).map((r) => r.id)).toEqual([rqId]);
    expect(await home.json(['requests', 'cancel', rqId])).toEqual({ rq_id: rqId, cancelled: true });
    expect((await home.json(['requests', 'show', rqId], 4)).error).toMatchObject({
      code: 'BACKUP_API_REQUEST_NOT_FOUND',
    });
  });

  it('logs out: the token is revoked and forgotten', async () => {
    const stored = JSON.parse(
      await readFile(path.join(home.dir, 'config', 'cvat-backup', 'config.json'), 'utf8'),
    );
    expect(await home.json(['logout'])).toEqual({ server: api.base, logged_out: true, revoked: true });
    expect((await home.json(['requests', 'list'], 3)).error).toMatchObject({ code: 'CLI_NOT_LOGGED_IN' });
    const revoked = await home.json(['requests', 'list'], 3, { env: { CVAT_BACKUP_TOKEN: stored.token } });
    expect(revoked.error).toMatchObject({ code: 'API_TOKEN_INVALID' });
  });
});
