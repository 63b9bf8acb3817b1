/**
 * Scheduled backups end to end: the API in-process (with the schedule endpoints) listening on a free
 * port, and real worker processes on the same database, Redis prefix and DATA_ROOT.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { testServices } from '@cvat-backup/testkit';
import { openTestApi, type TestApi } from '../../../apps/api/test/api-fixture.js';
import { WorkerProcess } from '../backup/worker-process.js';
import type { HttpUser } from '../backup-http/backup-api.js';
import { json } from '../backup-http/task-backup.js';

export interface ScheduleE2e {
  api: TestApi;
  base: string;
  /** A new worker process on the shared layout (not started). */
  worker(): WorkerProcess;
  user(): Promise<HttpUser>;
  /** SIGKILLs every worker started so far, as when machines die. */
  killWorkers(): Promise<void>;
  close(): Promise<void>;
}

const SECRET_KEY = 'e2e-schedules-secret-0123456789';

export async function openScheduleE2e(): Promise<ScheduleE2e> {
  // One SECRET_KEY for the API's catalog and the workers: cloud credentials written by one are read by the other.
  const api = await openTestApi({ schedules: true, secretKey: SECRET_KEY });
  const base = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const workers: WorkerProcess[] = [];
  return {
    api,
    base,
    worker() {
      const worker = new WorkerProcess({
        DATA_ROOT: api.dataRoot,
        REDIS_URL: testServices().redisUrl,
        DATABASE_URL: api.db.url,
        SECRET_KEY,
        QUEUE_PREFIX: api.queuePrefix,
        JOB_LOCK_MS: '2000',
        STALLED_CHECK_MS: '1000',
        LOG_LEVEL: 'info',
      });
      workers.push(worker);
      return worker;
    },
    async user() {
      const u = await api.user();
      return {
        id: u.id,
        token: u.token,
        call: (p, init = {}) => {
          const { json, ...rest } = init;
          const headers = new Headers(rest.headers);
          headers.set('authorization', `Token ${u.token}`);
          if (json !== undefined) headers.set('content-type', 'application/json');
          return fetch(new URL(p, base), {
            ...rest,
            headers,
            ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
          });
        },
      };
    },
    async killWorkers() {
      await Promise.all(workers.map((w) => w.kill()));
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await api.close();
    },
  };
}

/** Every file under `dir` (relative paths), recursively; temp files of writes in progress left out. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.zip'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Polls every 200 ms until `done` returns a value, for up to `seconds`. */
export async function waitFor<T>(
  what: string,
  done: () => Promise<T | undefined>,
  seconds = 120,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await done();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A run as `GET /api/backup-schedules/{id}/runs/{run_id}` shows it (the fields the suites read). */
export interface RunView {
  id: number;
  trigger: string;
  status: string;
  fire_date: string;
  done: number;
  failed: number;
  skipped: number;
  total: number;
  failures: Array<{ target: string; id: number; code: string; message: string }>;
}

/** `POST …/{id}/run` (202): the new run's id. */
export async function startRun(user: HttpUser, scheduleId: number): Promise<number> {
  const answer = await json(
    await user.call(`/api/backup-schedules/${scheduleId}/run`, { method: 'POST' }),
    202,
  );
  return answer.run_id as number;
}

/** Polls a run until it is no longer running. */
export function runEnded(user: HttpUser, scheduleId: number, runId: number): Promise<RunView> {
  return waitFor(`run ${runId}`, async () => {
    const run = (await json(
      await user.call(`/api/backup-schedules/${scheduleId}/runs/${runId}`),
      200,
    )) as unknown as RunView;
    return run.status === 'running' ? undefined : run;
  });
}

/** Runs a schedule now and waits for the run to end. */
export async function runNow(user: HttpUser, scheduleId: number): Promise<RunView> {
  return runEnded(user, scheduleId, await startRun(user, scheduleId));
}
