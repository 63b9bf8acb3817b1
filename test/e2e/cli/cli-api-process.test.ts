/**
 * The CLI against the built API process (`apps/api/dist/main.js`, as `pnpm start` runs it) and a
 * built worker process: the admin logs in with the password the API was started with, then backs up
 * a task, verifies the archive and restores it, every answer as strict --json.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTask, expectSameTask } from '../backup-http/task-backup.js';
import type { ApiProcess } from '../support/api-process.js';
import { type BuiltSystem, ROOT_LOGIN, startBuiltSystem } from '../support/built-system.js';
import { type CliHome, cliHome } from './cli-runner.js';

describe('cvat-backup against the built API process', () => {
  let system: BuiltSystem;
  let api: ApiProcess;
  let home: CliHome;

  beforeAll(async () => {
    system = await startBuiltSystem('cli-main');
    api = system.api;
    home = await cliHome({ CVAT_BACKUP_SERVER: api.base });
  });

  afterAll(async () => {
    await home?.close();
    await system?.stop();
  });

  it('logs in, backs up a task, verifies the archive and restores it', async () => {
    const { username, password } = ROOT_LOGIN;
    const login = await home.json(['login', '-u', username, '--password-stdin'], 0, {
      input: `${password}\n`,
    });
    expect(login).toMatchObject({ server: api.base, username });
    const root = await api.login(username, password);
    const task = await createLocalTask(root, 'through the built api');
    const archive = path.join(home.dir, 'main.zip');
    expect(await home.json(['task', 'backup', String(task), '--out', archive])).toMatchObject({
      file: archive,
    });
    expect(await home.json(['verify', archive, '--kind', 'task'])).toMatchObject({
      valid: true,
      kind: 'task',
    });
    const restored = await home.json(['task', 'restore', archive]);
    await expectSameTask(root, task, restored.id as number);
  });
});
