import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@cvat-backup/common';
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../testing/capture-io.js';
import { EXIT, exitCodeFor, toCliError } from './cli-error.js';
import { configDir, readLogin, removeLogin, stateDir, writeLogin } from './config-store.js';
import { normaliseServer, resolveSession } from './session.js';

describe('stored login and session', () => {
  const homes: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const home of homes.splice(0)) await home.close();
  });

  it('honours XDG_CONFIG_HOME / XDG_STATE_HOME, else ~/.config and ~/.local/state', () => {
    expect(configDir({ HOME: '/h' })).toBe('/h/.config/cvat-backup');
    expect(configDir({ HOME: '/h', XDG_CONFIG_HOME: '/x' })).toBe('/x/cvat-backup');
    expect(stateDir({ HOME: '/h' })).toBe('/h/.local/state/cvat-backup');
    expect(stateDir({ HOME: '/h', XDG_STATE_HOME: '/s' })).toBe('/s/cvat-backup');
  });

  it('writes the login with mode 0600 in a 0700 directory, atomically, and removes it', async () => {
    const home = await tempHome();
    homes.push(home);
    const file = await writeLogin({ server: 'http://a:1', token: 't1', username: 'u' }, home.env);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.dirname(file))).toEqual(['config.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      server: 'http://a:1',
      token: 't1',
      username: 'u',
    });
    expect(await readLogin(home.env)).toEqual({ server: 'http://a:1', token: 't1', username: 'u' });
    await removeLogin(home.env);
    expect(await readLogin(home.env)).toBeUndefined();
  });

  it('sends the stored token only to the server that issued it; CVAT_BACKUP_TOKEN overrides', async () => {
    const home = await tempHome();
    homes.push(home);
    await writeLogin({ server: 'http://a:1', token: 't1', username: 'u' }, home.env);
    expect(await resolveSession(undefined, home.env)).toMatchObject({ server: 'http://a:1', token: 't1' });
    expect(await resolveSession('http://a:1/', home.env)).toMatchObject({ token: 't1' });
    expect(await resolveSession('http://b:2', home.env)).toMatchObject({
      server: 'http://b:2',
      token: undefined,
    });
    const env = { ...home.env, CVAT_BACKUP_SERVER: 'http://b:2', CVAT_BACKUP_TOKEN: 'env' };
    expect(await resolveSession(undefined, env)).toMatchObject({ server: 'http://b:2', token: 'env' });
    expect(await resolveSession('http://c:3', env)).toMatchObject({ server: 'http://c:3', token: 'env' });
  });

  it('without any server it is a usage error', async () => {
    const home = await tempHome();
    homes.push(home);
    await expect(resolveSession(undefined, home.env)).rejects.toMatchObject({
      code: 'CLI_NO_SERVER',
      exitCode: EXIT.USAGE,
    });
  });

  it('normalises server URLs and refuses credentials in them', () => {
    expect(normaliseServer('localhost:8080')).toBe('http://localhost:8080');
    expect(normaliseServer('https://h/prefix/')).toBe('https://h/prefix');
    expect(() => normaliseServer('ftp://h')).toThrow(/http/);
    expect(() => normaliseServer('http://u:p@h')).toThrow(/credentials/);
  });
});

describe('exit codes', () => {
  it('follow the status, archive codes are 6', () => {
    expect(exitCodeFor('ARCHIVE_CRC_MISMATCH', 400)).toBe(EXIT.ARCHIVE_INVALID);
    expect([401, 403, 404, 410, 400, 409, 500, 503].map((s) => exitCodeFor('X', s))).toEqual([
      3, 3, 4, 4, 1, 1, 5, 5,
    ]);
    expect(toCliError(new AppError('ARCHIVE_NOT_A_BACKUP')).exitCode).toBe(6);
    const enoent = Object.assign(new Error('gone'), { code: 'ENOENT', path: '/x.zip' });
    expect(toCliError(enoent)).toMatchObject({ code: 'CLI_FILE_NOT_FOUND', exitCode: 4 });
    expect(toCliError(new Error('boom'))).toMatchObject({ code: 'CLI_INTERNAL', exitCode: 1 });
  });
});
