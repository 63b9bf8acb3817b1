/**
 * The built API process (`apps/api/dist/main.js`, wired by its main.ts and config) and a built worker
 * process sharing DATA_ROOT, the queue prefix and SECRET_KEY as a deployment does: a backup made
 * through one restores through the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltSystem, ROOT_LOGIN, startBuiltSystem } from '../support/built-system.js';
import { fileForm, type HttpUser, settled } from './backup-api.js';
import { createLocalTask, expectSameTask, json } from './task-backup.js';

describe('the built API and worker processes', () => {
  let system: BuiltSystem;
  let admin: HttpUser;

  beforeAll(async () => {
    system = await startBuiltSystem('main', {
      workerEnv: { JOB_LOCK_MS: '2000', STALLED_CHECK_MS: '1000' },
    });
    admin = await system.api.login(ROOT_LOGIN.username, ROOT_LOGIN.password);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('backs up a task through the API process and restores it', async () => {
    const task = await createLocalTask(admin, 'through main');
    const { rq_id } = await json(
      await admin.call(`/api/tasks/${task}/backup/export`, { method: 'POST' }),
      202,
    );
    const request = await settled(admin, rq_id as string);
    expect(request.status, String(request.message)).toBe('finished');
    const res = await admin.call(request.result_url as string);
    expect(res.status).toBe(200);
    const archive = Buffer.from(await res.arrayBuffer());
    const started = await json(
      await admin.call('/api/tasks/backup', { method: 'POST', body: fileForm('task_file', archive) }),
      202,
    );
    const restore = await settled(admin, started.rq_id as string);
    expect(restore.status, String(restore.message)).toBe('finished');
    await expectSameTask(admin, task, restore.result_id as number);
  });
});
