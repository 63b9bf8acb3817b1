/**
 * One backup or restore through the API with a fresh worker process: wall time from the POST to the
 * request's `finished_date` (BullMQ's commit time of the job, so polling adds nothing), the job's own
 * run time, the worker's peak RSS (VmHWM) and CPU time, and the API's CPU time over the same window.
 */

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ApiClient, RequestState } from './api-client.js';
import { type BenchSystem, peakRssMiB } from './bench-processes.js';

export interface ApiRun {
  /** POST → job committed. */
  wallMs: number;
  /** Job started → job committed (excludes upload and queueing). */
  jobMs: number;
  /** POST → 202 (the upload, for a restore from a file). */
  acceptedMs: number;
  workerPeakMiB: number;
  /** The worker's VmHWM once ready, before any job. */
  workerIdleMiB: number;
  workerCpuS: number;
  apiCpuS: number;
  /** 1-minute load average when the run started. */
  load1: number;
  resultId: number | null;
}

/** User + system CPU seconds of a live process (/proc/<pid>/stat, fields 14 and 15). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function load1(): Promise<number> {
  return Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]);
}

async function withWorker(sys: BenchSystem, api: ApiClient, start: () => Promise<Response>): Promise<ApiRun> {
  const worker = await sys.startWorker();
  try {
    const workerIdleMiB = await peakRssMiB(worker.pid);
    const [workerCpu0, apiCpu0, load] = await Promise.all([
      cpuSeconds(worker.pid),
      cpuSeconds(sys.api.pid),
      load1(),
    ]);
    const t0 = Date.now();
    const res = await start();
    const acceptedMs = Date.now() - t0;
    const text = await res.text();
    if (res.status !== 202) throw new Error(`${res.url}: ${res.status} ${text.slice(0, 300)}`);
    const state: RequestState = await api.settled((JSON.parse(text) as { rq_id: string }).rq_id);
    const finished = Date.parse(state.finished_date!);
    return {
      wallMs: finished - t0,
      jobMs: finished - Date.parse(state.started_date!),
      acceptedMs,
      workerPeakMiB: await peakRssMiB(worker.pid),
      workerIdleMiB,
      workerCpuS: (await cpuSeconds(worker.pid)) - workerCpu0,
      apiCpuS: (await cpuSeconds(sys.api.pid)) - apiCpu0,
      load1: load,
      resultId: state.result_id,
    };
  } finally {
    await worker.stop();
  }
}

/** `POST /api/tasks/{id}/backup/export?{query}` with a fresh worker. */
export function backupRun(sys: BenchSystem, api: ApiClient, taskId: number, query = ''): Promise<ApiRun> {
  return withWorker(sys, api, () =>
    api.call(`/api/tasks/${taskId}/backup/export?${query}`, { method: 'POST' }),
  );
}

/** `POST /api/tasks/backup` with the archive file streamed as `task_file` (one multipart request). */
export async function restoreFromFileRun(sys: BenchSystem, api: ApiClient, file: string): Promise<ApiRun> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const size = (await stat(file)).size;
  async function* body() {
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="task_file"; filename="backup.zip"\r\nContent-Type: application/zip\r\n\r\n`,
    );
    yield* createReadStream(file, { highWaterMark: 1024 * 1024 });
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  if (size === 0) throw new Error(`${file} is empty`);
  return withWorker(sys, api, () =>
    api.call('/api/tasks/backup', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Readable.toWeb(Readable.from(body())) as ReadableStream,
      duplex: 'half',
    } as RequestInit),
  );
}

/** `POST /api/tasks/backup?location=cloud_storage&…`: a restore from an object in the cloud storage. */
export function restoreFromCloudRun(
  sys: BenchSystem,
  api: ApiClient,
  storageId: number,
  key: string,
): Promise<ApiRun> {
  const query = `location=cloud_storage&cloud_storage_id=${storageId}&filename=${encodeURIComponent(key)}`;
  return withWorker(sys, api, () => api.call(`/api/tasks/backup?${query}`, { method: 'POST' }));
}
