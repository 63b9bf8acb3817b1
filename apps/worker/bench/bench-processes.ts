/**
 * The system as a deployment runs it, for the end-to-end benchmark: the services the testkit provides
 * (Redis, PostgreSQL, the S3 emulator), a database of its own, the built API process, and worker
 * processes started one per measurement so that each one's peak RSS (VmHWM) belongs to one job.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  deleteRedisKeys,
  freePort,
  type TestDatabase,
  testServices,
  uniqueName,
} from '@cvat-backup/testkit';
import setup from '@cvat-backup/testkit/global-setup';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const apiMain = path.join(repoRoot, 'apps/api/dist/main.js');
const workerMain = path.join(repoRoot, 'apps/worker/dist/main.js');
const SECRET_KEY = 'bench-worker-secret-0123456789';
export const ADMIN = { username: 'bench', password: 'bench-pass-1' };

/** Peak resident set of a live process from /proc (VmHWM), in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

/** A child Node process whose last output is kept for error messages. */
export class NodeProcess {
  private tail = '';

  private constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-32_768);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static start(file: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): NodeProcess {
    return new NodeProcess(
      spawn(process.execPath, [...nodeArgs, file], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('process did not start');
    return this.child.pid;
  }

  get output(): string {
    return this.tail;
  }

  /** Waits until `ready()` holds, failing when the process exits first or 60 s pass. */
  async until(what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await ready())) {
      if (this.child.exitCode !== null)
        throw new Error(`${what}: exited ${this.child.exitCode}\n${this.tail}`);
      if (Date.now() > deadline) throw new Error(`${what}: not ready after 60 s\n${this.tail}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

export interface BenchSystem {
  base: string;
  dataRoot: string;
  databaseUrl: string;
  secretKey: string;
  api: NodeProcess;
  /** A fresh worker process, ready for jobs (one per measurement: its VmHWM is that job's). */
  startWorker(): Promise<NodeProcess>;
  close(): Promise<void>;
}

export async function startSystem(): Promise<BenchSystem> {
  for (const file of [apiMain, workerMain])
    if (!existsSync(file))
      throw new Error(
        `${file} is missing: run \`pnpm --filter @cvat-backup/api build && pnpm --filter @cvat-backup/worker build\``,
      );
  const teardown = await setup();
  const stops: Array<() => Promise<unknown>> = [teardown];
  try {
    const db: TestDatabase = await createTestDatabase();
    stops.unshift(db.drop);
    const dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-worker-bench-'));
    stops.unshift(() => rm(dataRoot, { recursive: true, force: true }));
    const queuePrefix = uniqueName('wbench');
    stops.unshift(() => deleteRedisKeys(queuePrefix));
    const common = {
      DATA_ROOT: dataRoot,
      REDIS_URL: testServices().redisUrl,
      DATABASE_URL: db.url,
      SECRET_KEY,
      QUEUE_PREFIX: queuePrefix,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // BENCH_CPU_PROF_DIR: a V8 CPU profile of the API and of every worker, written when each exits.
    const profile = process.env.BENCH_CPU_PROF_DIR;
    const profiled = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
    const api = NodeProcess.start(
      apiMain,
      {
        ...common,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
      },
      profiled,
    );
    stops.unshift(() => api.stop());
    await api.until('API', () =>
      fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    const workers = new Set<NodeProcess>();
    stops.unshift(() => Promise.all([...workers].map((w) => w.stop())));
    return {
      base,
      dataRoot,
      databaseUrl: db.url,
      secretKey: SECRET_KEY,
      api,
      async startWorker() {
        // Info level: the worker announces "worker ready" there.
        const worker = NodeProcess.start(workerMain, { ...common, LOG_LEVEL: 'info' }, profiled);
        workers.add(worker);
        await worker.until('worker', () => worker.output.includes('worker ready'));
        return worker;
      },
      close: () => runAll(stops),
    };
  } catch (err) {
    await runAll(stops);
    throw err;
  }
}

async function runAll(steps: Array<() => Promise<unknown>>): Promise<void> {
  for (const step of steps) await step().catch((err) => console.error('cleanup step failed:', err));
}
