import {
  manualFireJobId,
  purgeJobId,
  QUEUE_NAMES,
  SCHEDULE_JOB_NAMES,
  schedulerId,
} from '@cvat-backup/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi, type TestUser } from '../../test/api-fixture.js';

const BASE = '/api/backup-schedules';
const body = (over: Record<string, unknown> = {}) => ({
  name: 'nightly',
  every_seconds: 3600,
  scope: { type: 'tasks_outside_projects' },
  target_storage: { location: 'local' },
  retention: { keep_last: 2 },
  ...over,
});

describe('/api/backup-schedules', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  let queue: NonNullable<TestApi['services']['schedules']>['queue'];

  beforeAll(async () => {
    api = await openTestApi({ schedules: true });
    [alice, bob, admin] = await Promise.all([api.user(), api.user(), api.user({ admin: true })]);
    queue = api.services.schedules!.queue;
    expect(queue.name).toBe(QUEUE_NAMES.schedule);
  });
  afterAll(async () => api?.close());

  const create = async (user: TestUser, over: Record<string, unknown> = {}) =>
    user.call({ method: 'POST', url: BASE, payload: body(over) });

  it('asks for credentials', async () => {
    expect((await api.app.inject({ method: 'GET', url: BASE })).statusCode).toBe(401);
  });

  it('creates a schedule with defaults, its job scheduler and next run', async () => {
    const res = await create(alice);
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json();
    expect(s).toMatchObject({
      name: 'nightly',
      owner: { id: alice.id, username: alice.username },
      cron: null,
      timezone: 'UTC',
      every_seconds: 3600,
      scope: { type: 'tasks_outside_projects' },
      target_storage: { location: 'local' },
      lightweight: true,
      name_template: '{{target}}_{{name}}_backup_{{date}}',
      retention: { keep_last: 2 },
      skip_unchanged: true,
      enabled: true,
      last_run: null,
    });
    expect(Date.parse(s.next_run_date)).toBeGreaterThan(Date.now() - 1000);
    expect((await queue.getJobScheduler(schedulerId(s.id)))?.every).toBe(3600_000);
  });

  it.each([
    [{ cron: '0 3 * * *' }, 'SCHEDULE_CADENCE_INVALID'],
    [{ every_seconds: undefined }, 'SCHEDULE_CADENCE_INVALID'],
    [{ every_seconds: undefined, cron: '0 25 * * *' }, 'SCHEDULE_CRON_INVALID'],
    [
      { every_seconds: undefined, cron: '0 3 * * *', timezone: 'Europe/Nowhere' },
      'SCHEDULE_TIMEZONE_INVALID',
    ],
    [{ name_template: '{{name}}' }, 'SCHEDULE_NAME_TEMPLATE_INVALID'],
    [{ name_template: '{{name}}_{{day}}_{{date}}' }, 'SCHEDULE_NAME_TEMPLATE_INVALID'],
    [{ scope: { type: 'projects', project_ids: [2_000_000] } }, 'SCHEDULE_PROJECT_NOT_FOUND'],
    [
      { target_storage: { location: 'cloud_storage', cloud_storage_id: 2_000_000 } },
      'SCHEDULE_CLOUD_STORAGE_NOT_FOUND',
    ],
  ])('refuses %j with a coded 400 and writes nothing', async (over, code) => {
    const before = (await alice.call({ method: 'GET', url: BASE })).json().count;
    const res = await create(alice, over);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe(code);
    expect((await alice.call({ method: 'GET', url: BASE })).json().count).toBe(before);
  });

  it('refuses malformed bodies field by field', async () => {
    for (const over of [
      { every_seconds: 0 },
      { scope: { type: 'everything' } },
      { retention: { keep_last: 0 } },
      { retention: { max_age_days: -1 } },
      { target_storage: { location: 'cloud_storage' } },
      { unknown_field: true },
    ]) {
      const res = await create(alice, over);
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
    }
  });

  it("refuses another user's project and cloud storage, accepts the owner's", async () => {
    const theirs = await api.catalog.projects.create(
      { id: bob.id, isAdmin: false },
      { name: 'p', labels: [] },
    );
    const storage = await api.catalog.cloudStorages.create(
      { id: bob.id, isAdmin: false },
      {
        provider_type: 'AWS_S3_BUCKET',
        resource: 'b',
        display_name: 'b',
        credentials_type: 'ANONYMOUS_ACCESS',
      },
    );
    expect((await create(alice, { scope: { type: 'projects', project_ids: [theirs.id] } })).json().code).toBe(
      'SCHEDULE_PROJECT_NOT_FOUND',
    );
    const cloud = { target_storage: { location: 'cloud_storage', cloud_storage_id: storage.id } };
    expect((await create(alice, cloud)).json().code).toBe('SCHEDULE_CLOUD_STORAGE_NOT_FOUND');
    const ok = await create(bob, { ...cloud, scope: { type: 'projects', project_ids: [theirs.id] } });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it("shows a schedule to its owner and admins only; another user's is 404 everywhere", async () => {
    const s = (await create(alice, { name: 'private' })).json();
    for (const [method, url] of [
      ['GET', `${BASE}/${s.id}`],
      ['PATCH', `${BASE}/${s.id}`],
      ['DELETE', `${BASE}/${s.id}`],
      ['POST', `${BASE}/${s.id}/run`],
      ['GET', `${BASE}/${s.id}/runs`],
      ['GET', `${BASE}/${s.id}/archives`],
      ['GET', `${BASE}/${s.id}/runs/1`],
      ['GET', `${BASE}/${s.id}/archives/1/download`],
    ] as const) {
      const res = await bob.call({ method, url, ...(method === 'PATCH' ? { payload: { name: 'x' } } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const bobs = (await bob.call({ method: 'GET', url: BASE })).json().results as Array<{ id: number }>;
    expect(bobs.map((x) => x.id)).not.toContain(s.id);
    expect((await admin.call({ method: 'GET', url: `${BASE}/${s.id}` })).json().name).toBe('private');
    const all = (await admin.call({ method: 'GET', url: `${BASE}?page_size=100` })).json().results as Array<{
      id: number;
    }>;
    expect(all.map((x) => x.id)).toContain(s.id);
  });

  it('pages the list CVAT-style', async () => {
    const carol = await api.user();
    for (const name of ['a', 'b', 'c']) expect((await create(carol, { name })).statusCode).toBe(201);
    const first = (await carol.call({ method: 'GET', url: `${BASE}?page_size=2` })).json();
    expect(first.count).toBe(3);
    expect(first.results.map((s: { name: string }) => s.name)).toEqual(['c', 'b']);
    expect(first.previous).toBeNull();
    const second = (
      await carol.call({ method: 'GET', url: new URL(first.next).pathname + new URL(first.next).search })
    ).json();
    expect(second.results.map((s: { name: string }) => s.name)).toEqual(['a']);
    expect(second.next).toBeNull();
  });

  it('patches partially and re-applies the job scheduler (cadence switch, disable, enable)', async () => {
    const s = (await create(alice)).json();
    const url = `${BASE}/${s.id}`;
    const cron = await alice.call({
      method: 'PATCH',
      url,
      payload: { cron: '30 2 * * *', timezone: 'America/New_York' },
    });
    expect(cron.statusCode, cron.body).toBe(200);
    expect(cron.json()).toMatchObject({
      cron: '30 2 * * *',
      every_seconds: null,
      timezone: 'America/New_York',
      name: 'nightly',
    });
    expect(await queue.getJobScheduler(schedulerId(s.id))).toMatchObject({
      pattern: '30 2 * * *',
      tz: 'America/New_York',
    });
    expect(new Date(cron.json().next_run_date).getUTCMinutes()).toBe(30);

    expect((await alice.call({ method: 'PATCH', url, payload: { unknown_field: 1 } })).statusCode).toBe(400);
    expect((await alice.call({ method: 'PATCH', url, payload: { cron: 'nope' } })).json().code).toBe(
      'SCHEDULE_CRON_INVALID',
    );
    const off = (await alice.call({ method: 'PATCH', url, payload: { enabled: false } })).json();
    expect(off).toMatchObject({ enabled: false, next_run_date: null });
    expect(await queue.getJobScheduler(schedulerId(s.id))).toBeUndefined();
    const on = (
      await alice.call({ method: 'PATCH', url, payload: { enabled: true, every_seconds: 60 } })
    ).json();
    expect(on).toMatchObject({ enabled: true, cron: null, every_seconds: 60 });
    expect((await queue.getJobScheduler(schedulerId(s.id)))?.every).toBe(60_000);
  });

  it('runs now (202 with the run id), refuses a second run while one runs, lists and shows runs', async () => {
    const s = (await create(alice, { enabled: false })).json();
    const run = await alice.call({ method: 'POST', url: `${BASE}/${s.id}/run` });
    expect(run.statusCode, run.body).toBe(202);
    const runId = run.json().run_id as number;
    expect(await queue.getJob(manualFireJobId(s.id, runId))).toBeDefined();
    const again = await alice.call({ method: 'POST', url: `${BASE}/${s.id}/run` });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'SCHEDULE_RUN_IN_PROGRESS' });

    const runs = (await alice.call({ method: 'GET', url: `${BASE}/${s.id}/runs` })).json();
    expect(runs).toMatchObject({ count: 1, next: null, previous: null });
    expect(runs.results[0]).toMatchObject({
      id: runId,
      schedule_id: s.id,
      trigger: 'manual',
      status: 'running',
      finished_date: null,
      done: 0,
      failed: 0,
      skipped: 0,
      total: 0,
      failures: [],
    });
    expect((await alice.call({ method: 'GET', url: `${BASE}/${s.id}/runs/${runId}` })).json().id).toBe(runId);
    expect(
      (await alice.call({ method: 'GET', url: `${BASE}/${s.id}/runs/${runId + 1000}` })).statusCode,
    ).toBe(404);
    expect((await alice.call({ method: 'GET', url: `${BASE}/${s.id}` })).json().last_run.id).toBe(runId);
    expect((await alice.call({ method: 'GET', url: `${BASE}/${s.id}/archives` })).json()).toMatchObject({
      count: 0,
      results: [],
    });
    expect((await alice.call({ method: 'GET', url: `${BASE}/${s.id}/archives/1/download` })).statusCode).toBe(
      404,
    );
  });

  it('deletes a schedule and its job scheduler', async () => {
    const s = (await create(alice)).json();
    expect(await queue.getJobScheduler(schedulerId(s.id))).toBeDefined();
    expect((await alice.call({ method: 'DELETE', url: `${BASE}/${s.id}` })).statusCode).toBe(204);
    expect(await queue.getJobScheduler(schedulerId(s.id))).toBeUndefined();
    expect((await alice.call({ method: 'GET', url: `${BASE}/${s.id}` })).statusCode).toBe(404);
  });

  /** A schedule of alice's with one finished run and one local archive file. */
  const withArchive = async () => {
    const s = (await create(alice)).json();
    const started = await api.catalog.schedules.startRun({
      scheduleId: s.id,
      trigger: 'manual',
      fireKey: 'k',
      fireDate: new Date(),
    });
    if (started.kind === 'busy') throw new Error('busy');
    await api.catalog.schedules.endRun(started.run.id, { status: 'finished', done: 1, failures: [] });
    const key = `schedules/${s.id}/run-${started.run.id}/t.zip`;
    const write = api.services.schedules!.archives.openWrite(key);
    write.end('PK-zip');
    await write.commit();
    const archive = await api.catalog.schedules.recordArchive({
      schedule_id: s.id,
      run_id: started.run.id,
      target: 'task',
      target_id: 1,
      location: 'local',
      cloud_storage_id: null,
      key,
      filename: 't.zip',
      size: 6,
      lightweight: false,
      lightweight_requested: true,
      resource_updated_date: new Date(),
    });
    return { id: s.id as number, url: `${BASE}/${s.id}`, archive };
  };

  it('retires a deleted schedule that has archives: still listed and downloadable, never run or changed', async () => {
    const { id, url, archive } = await withArchive();
    expect((await alice.call({ method: 'DELETE', url })).statusCode).toBe(204);
    expect(await queue.getJobScheduler(schedulerId(id))).toBeUndefined();
    const shown = (await alice.call({ method: 'GET', url })).json();
    expect(shown).toMatchObject({ state: 'retired', enabled: false, next_run_date: null });
    expect(Date.parse(shown.retired_date)).toBeGreaterThan(Date.now() - 60_000);
    const listed = (await alice.call({ method: 'GET', url: `${BASE}?state=retired&page_size=all` })).json();
    expect(listed.results.map((x: { id: number }) => x.id)).toContain(id);
    expect(listed.results.every((x: { state: string }) => x.state === 'retired')).toBe(true);
    expect((await alice.call({ method: 'GET', url: `${url}/archives` })).json().count).toBe(1);
    const download = await alice.call({ method: 'GET', url: `${url}/archives/${archive.id}/download` });
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe('PK-zip');
    for (const [method, to, payload] of [
      ['PATCH', url, { enabled: true }],
      ['POST', `${url}/run`, undefined],
    ] as const) {
      const res = await alice.call({ method, url: to, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${to}`).toBe(409);
      expect(res.json()).toMatchObject({ code: 'SCHEDULE_RETIRED' });
    }
    // Deleting again keeps it as it is.
    expect((await alice.call({ method: 'DELETE', url })).statusCode).toBe(204);
    expect((await alice.call({ method: 'GET', url })).json().state).toBe('retired');
  });

  it('deletes with ?delete_archives=true: marks the schedule and its archives and queues the purge', async () => {
    const { id, url } = await withArchive();
    expect((await alice.call({ method: 'DELETE', url: `${url}?delete_archives=yes` })).statusCode).toBe(400);
    expect((await bob.call({ method: 'DELETE', url: `${url}?delete_archives=true` })).statusCode).toBe(404);
    const res = await alice.call({ method: 'DELETE', url: `${url}?delete_archives=true` });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ id, state: 'deleting' });
    expect((await alice.call({ method: 'GET', url })).json()).toMatchObject({
      state: 'deleting',
      enabled: false,
    });
    const marked = await api.catalog.schedules.archivesToPurge(id, 10);
    expect(marked).toHaveLength(1);
    const job = await queue.getJob(purgeJobId(id));
    expect(job).toMatchObject({ name: SCHEDULE_JOB_NAMES.purge, data: { version: 1, scheduleId: id } });
    expect(await queue.getJobScheduler(schedulerId(id))).toBeUndefined();
    // A retired schedule can be deleted with its archives later on.
    const later = await withArchive();
    expect((await alice.call({ method: 'DELETE', url: later.url })).statusCode).toBe(204);
    expect(
      (await alice.call({ method: 'DELETE', url: `${later.url}?delete_archives=true` })).statusCode,
    ).toBe(202);
  });
});
