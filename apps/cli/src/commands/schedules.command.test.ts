import { afterEach, describe, expect, it } from 'vitest';
import { recordingServer, runCaptured, sendJson, tempHome } from '../testing/capture-io.js';
import { scheduleBody } from './schedules.command.js';

const base = { name: 'nightly', lightweight: true, skipUnchanged: true, enabled: true };

describe('scheduleBody', () => {
  it('builds the API body from the options', () => {
    expect(
      scheduleBody({
        ...base,
        cron: '0 3 * * *',
        timezone: 'Europe/Berlin',
        projects: '3, 5',
        target: 'cloud:7',
        keepLast: '10',
        maxAgeDays: '30',
        nameTemplate: '{kind}_{name}.zip',
      }),
    ).toEqual({
      name: 'nightly',
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      scope: { type: 'projects', project_ids: [3, 5] },
      target_storage: { location: 'cloud_storage', cloud_storage_id: 7 },
      lightweight: true,
      name_template: '{kind}_{name}.zip',
      retention: { keep_last: 10, max_age_days: 30 },
      skip_unchanged: true,
      enabled: true,
    });
    expect(
      scheduleBody({ ...base, every: '3600', tasksOutsideProjects: true, lightweight: false }),
    ).toMatchObject({
      every_seconds: 3600,
      scope: { type: 'tasks_outside_projects' },
      target_storage: { location: 'local' },
      lightweight: false,
      retention: {},
    });
  });

  it('refuses contradictions as usage errors', () => {
    const usage = { code: 'CLI_USAGE', exitCode: 2 };
    expect(() => scheduleBody({ ...base, cron: '* * * * *' })).toThrow(expect.objectContaining(usage));
    expect(() => scheduleBody({ ...base, cron: '* * * * *', allProjects: true, projects: '1' })).toThrow(
      expect.objectContaining(usage),
    );
    expect(() => scheduleBody({ ...base, allProjects: true })).toThrow(/--cron/);
    expect(() => scheduleBody({ ...base, cron: 'x', every: '5', allProjects: true })).toThrow(/exactly one/);
    expect(() => scheduleBody({ ...base, every: '5', projects: '1,x' })).toThrow(/project id/);
    expect(() => scheduleBody({ ...base, every: '5', allProjects: true, target: 's3' })).toThrow(/--target/);
  });
});

describe('schedules commands over HTTP', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup() {
    const home = await tempHome();
    const server = await recordingServer((request, res) => {
      if (request.method === 'POST' && request.url === '/api/backup-schedules')
        return sendJson(res, 201, { id: 4, ...JSON.parse(request.body) });
      if (request.method === 'GET' && request.url.startsWith('/api/backup-schedules'))
        return sendJson(res, 200, {
          count: 1,
          next: null,
          previous: null,
          results: [{ id: 4, name: 'nightly', cron: '0 3 * * *', enabled: true }],
        });
      if (request.method === 'POST' && request.url === '/api/backup-schedules/4/run')
        return sendJson(res, 202, { run_id: 12 });
      if (request.method === 'DELETE' && request.url === '/api/backup-schedules/4')
        return res.writeHead(204).end();
      return sendJson(res, 404, { detail: 'Not found.', code: 'NOT_FOUND' });
    });
    cleanups.push(server.close, home.close);
    const env = { ...home.env, CVAT_BACKUP_SERVER: server.url, CVAT_BACKUP_TOKEN: 'tok-1' };
    return { server, env };
  }

  it('creates, lists, runs and deletes with the token, one JSON document each', async () => {
    const { server, env } = await setup();
    const created = await runCaptured(
      [
        '--json',
        'schedules',
        'create',
        '--name',
        'nightly',
        '--cron',
        '0 3 * * *',
        '--all-projects',
        '--keep-last',
        '3',
      ],
      env,
    );
    expect(created.code, created.stdout).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 4, scope: { type: 'all_projects' } });
    expect(JSON.parse(server.received[0]!.body)).toEqual({
      name: 'nightly',
      cron: '0 3 * * *',
      scope: { type: 'all_projects' },
      target_storage: { location: 'local' },
      lightweight: true,
      retention: { keep_last: 3 },
      skip_unchanged: true,
      enabled: true,
    });
    expect(server.received[0]!.headers.authorization).toBe('Token tok-1');

    const listed = await runCaptured(['--json', 'schedules', 'list'], env);
    expect(JSON.parse(listed.stdout)).toMatchObject({ count: 1, results: [{ id: 4 }] });
    const ran = await runCaptured(['--json', 'schedules', 'run-now', '4'], env);
    expect(JSON.parse(ran.stdout)).toEqual({ id: 4, run_id: 12 });
    const deleted = await runCaptured(['--json', 'schedules', 'delete', '4'], env);
    expect(JSON.parse(deleted.stdout)).toEqual({ id: 4, deleted: true });
    expect(server.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/backup-schedules',
      'GET /api/backup-schedules',
      'POST /api/backup-schedules/4/run',
      'DELETE /api/backup-schedules/4',
    ]);

    const human = await runCaptured(['schedules', 'list'], env);
    expect(human).toMatchObject({ code: 0, stdout: '4  nightly  0 3 * * *\n' });
  });

  it('maps a missing schedule to exit 4 and bad options to exit 2 without a request', async () => {
    const { server, env } = await setup();
    const missing = await runCaptured(['--json', 'schedules', 'run-now', '9'], env);
    expect({ code: missing.code, out: JSON.parse(missing.stdout) }).toEqual({
      code: 4,
      out: { error: { code: 'NOT_FOUND', message: 'Not found.' } },
    });
    const before = server.received.length;
    const bad = await runCaptured(['--json', 'schedules', 'create', '--name', 'x', '--all-projects'], env);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.code).toBe('CLI_USAGE');
    const noName = await runCaptured(
      ['--json', 'schedules', 'create', '--every', '60', '--all-projects'],
      env,
    );
    expect(noName.code).toBe(2);
    expect(server.received.length).toBe(before);
  });
});
