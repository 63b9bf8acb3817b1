/**
 * The CLI's schedules commands against the real /api/backup-schedules (API in-process) and a real
 * worker process: create, list, run now and wait for the run, list runs, delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpUser } from '../backup-http/backup-api.js';
import { createLocalTask, json } from '../backup-http/task-backup.js';
import { openScheduleE2e, type ScheduleE2e } from '../schedules/schedule-e2e.js';
import { type CliHome, cliHome } from './cli-runner.js';

describe('cvat-backup schedules against the schedules API', () => {
  let e2e: ScheduleE2e;
  let user: HttpUser;
  let home: CliHome;
  let project: number;

  beforeAll(async () => {
    e2e = await openScheduleE2e();
    user = await e2e.user();
    home = await cliHome({ CVAT_BACKUP_SERVER: e2e.base, CVAT_BACKUP_TOKEN: user.token });
    project = (
      await json(
        await user.call('/api/projects', {
          method: 'POST',
          json: { name: 'scheduled', labels: [{ name: 'car' }] },
        }),
        201,
      )
    ).id as number;
    await createLocalTask(user, 'scheduled task', project);
    await e2e.worker().start();
  }, 180_000);
  afterAll(async () => {
    await home?.close();
    await e2e?.close();
  }, 60_000);

  it('creates, lists, runs, shows runs and deletes a schedule', async () => {
    const created = await home.json([
      'schedules',
      'create',
      '--name',
      'cli nightly',
      '--cron',
      '0 3 * * *',
      '--timezone',
      'UTC',
      '--projects',
      String(project),
      '--keep-last',
      '2',
      '--no-skip-unchanged',
    ]);
    expect(created).toMatchObject({
      id: expect.any(Number),
      name: 'cli nightly',
      cron: '0 3 * * *',
      scope: { type: 'projects', project_ids: [project] },
      target_storage: { location: 'local' },
      retention: { keep_last: 2 },
      skip_unchanged: false,
      enabled: true,
    });
    const id = String(created.id);
    const listed = await home.json(['schedules', 'list']);
    expect(listed).toMatchObject({ count: 1, results: [{ id: created.id }] });

    const ran = await home.json(['schedules', 'run-now', id, '--wait']);
    expect(ran).toMatchObject({ status: 'finished', trigger: 'manual', done: 1, failed: 0, total: 1 });
    const runs = await home.json(['schedules', 'runs', id]);
    expect(runs).toMatchObject({ results: [{ id: ran.id, status: 'finished' }] });

    expect(await home.json(['schedules', 'delete', id])).toEqual({ id: created.id, deleted: true });
    // It wrote an archive, so it stays listed as retired (its archives tracked) and runs no more.
    expect(await home.json(['schedules', 'list'])).toMatchObject({
      count: 1,
      results: [{ id: created.id, state: 'retired' }],
    });
    expect((await home.json(['schedules', 'run-now', id], 1)).error).toMatchObject({
      code: 'SCHEDULE_RETIRED',
    });
  });

  it('passes the server refusal of a bad schedule through with exit 1', async () => {
    const refused = await home.json(
      ['schedules', 'create', '--name', 'bad', '--cron', 'not a cron', '--all-projects'],
      1,
    );
    expect(refused.error).toEqual({ code: expect.any(String), message: expect.stringMatching(/cron/i) });
  });
});
