/**
 * Operating the built processes: a backup and its restore run through the API process and a real
 * worker process, then `/metrics` (parsed by a Prometheus text-format parser) shows their duration and
 * bytes histograms and the queue depths, bull-board answers only administrators, and every log line the
 * worker wrote about either job carries its request id, job id, resource and user.
 */
import { QUEUE_NAMES } from '@cvat-backup/queue';
import { getMetricsFromIterator, type PromHistogramData, type PromMetrics } from 'prom2javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileForm, type HttpUser, settled } from '../backup-http/backup-api.js';
import { createLocalTask, json } from '../backup-http/task-backup.js';
import { type ApiProcess, logLines } from '../support/api-process.js';
import { type BuiltSystem, ROOT_LOGIN, startBuiltSystem } from '../support/built-system.js';

type Labels = Record<string, string>;

const matches = (labels: Labels, wanted: Labels) => Object.entries(wanted).every(([k, v]) => labels[k] === v);

function series<T extends { labels: Labels }>(metrics: PromMetrics, name: string, wanted: Labels): T[] {
  const family = metrics[name];
  if (!family) throw new Error(`no ${name} in the scrape`);
  return (family.data as unknown as T[]).filter((d) => matches(d.labels, wanted));
}

describe('operating the built API and worker: metrics, dashboard, logs', () => {
  let system: BuiltSystem;
  let api: ApiProcess;
  let admin: HttpUser & { username: string };
  let viewer: HttpUser;
  let task: number;
  let rqId: string;
  let restoreId: string;
  let archiveBytes: number;

  beforeAll(async () => {
    system = await startBuiltSystem('ops');
    api = system.api;
    admin = await api.login(ROOT_LOGIN.username, ROOT_LOGIN.password);
    await json(
      await fetch(`${api.base}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'viewer', password1: 'viewer-pass-1', password2: 'viewer-pass-1' }),
      }),
      201,
    );
    viewer = await api.login('viewer', 'viewer-pass-1');

    task = await createLocalTask(admin, 'ops');
    rqId = (await json(await admin.call(`/api/tasks/${task}/backup/export`, { method: 'POST' }), 202))
      .rq_id as string;
    const request = await settled(admin, rqId);
    expect(request.status, String(request.message)).toBe('finished');
    const archive = await admin.call(request.result_url as string);
    expect(archive.status).toBe(200);
    const zip = Buffer.from(await archive.arrayBuffer());
    archiveBytes = zip.byteLength;
    restoreId = (
      await json(
        await admin.call('/api/tasks/backup', { method: 'POST', body: fileForm('task_file', zip) }),
        202,
      )
    ).rq_id as string;
    const restore = await settled(admin, restoreId);
    expect(restore.status, String(restore.message)).toBe('finished');
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** Scrapes until the export's observation is visible (the worker records it after the job finished). */
  async function scrape(): Promise<{ text: string; metrics: PromMetrics }> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`${api.base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      // The parser throws on any line that is not valid text format.
      const metrics = await getMetricsFromIterator(text.split('\n')[Symbol.iterator]());
      const done = metrics['cvb_job_bytes']?.data.length === 2 && metrics['cvb_queue_jobs']?.data.length;
      if (done || Date.now() > deadline) return { text, metrics };
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('/metrics shows the export just run: duration and bytes histograms, queue depths, HTTP and process metrics', async () => {
    const { text, metrics } = await scrape();
    const job = { kind: 'export', resource: 'task', location: 'local' };

    const [duration, ...moreDurations] = series<PromHistogramData>(metrics, 'cvb_job_duration_seconds', {
      ...job,
      outcome: 'completed',
    });
    expect(moreDurations).toEqual([]);
    expect(metrics['cvb_job_duration_seconds']?.type).toBe('histogram');
    expect(duration).toMatchObject({ count: 1, buckets: { '+Inf': 1 } });
    expect(duration!.sum).toBeGreaterThan(0);

    const [bytes] = series<PromHistogramData>(metrics, 'cvb_job_bytes', job);
    expect(bytes).toMatchObject({ count: 1, sum: archiveBytes, buckets: { '+Inf': 1 } });
    const smallest = Object.entries(bytes!.buckets).find(([le]) => archiveBytes <= Number(le));
    expect(smallest?.[1]).toBe(1);
    expect(series(metrics, 'cvb_job_failures_total', { kind: 'export' })).toEqual([]);
    // The restore of that archive read as many bytes.
    const [restored] = series<PromHistogramData>(metrics, 'cvb_job_bytes', { ...job, kind: 'import' });
    expect(restored).toMatchObject({ count: 1, sum: archiveBytes });
    expect(
      series<PromHistogramData>(metrics, 'cvb_job_duration_seconds', { ...job, kind: 'import' })[0]?.count,
    ).toBe(1);

    expect(series<{ labels: Labels; value: number }>(metrics, 'cvb_queue_up', {})[0]?.value).toBe(1);
    const depth = (queue: string, state: string) =>
      series<{ labels: Labels; value: number }>(metrics, 'cvb_queue_jobs', { queue, state })[0]?.value;
    for (const queue of Object.values(QUEUE_NAMES)) expect(depth(queue, 'waiting'), queue).toBeDefined();
    expect(depth(QUEUE_NAMES.export, 'completed')).toBe(1);
    expect(depth(QUEUE_NAMES.export, 'active')).toBe(0);
    expect(depth(QUEUE_NAMES.export, 'waiting')).toBe(0);

    const exportRequests = series<{ labels: Labels; value: number }>(metrics, 'http_requests_total', {
      method: 'POST',
      route: '/api/tasks/:id/backup/export',
      status_code: '202',
    });
    expect(exportRequests.map((s) => s.value)).toEqual([1]);
    expect(metrics['http_request_duration_seconds']?.type).toBe('histogram');
    expect(text).not.toContain(`route="/api/tasks/${task}`);
    expect(metrics['process_resident_memory_bytes']?.type).toBe('gauge');
  });

  it('bull-board answers 200 to an administrator, 403 to another user and 401 without credentials', async () => {
    const page = `${api.base}/admin/queues`;
    const anonymous = await fetch(page);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await viewer.call('/admin/queues')).status).toBe(403);
    expect((await viewer.call('/admin/queues/api/queues')).status).toBe(403);
    const basic = `Basic ${Buffer.from(`${ROOT_LOGIN.username}:${ROOT_LOGIN.password}`).toString('base64')}`;
    const html = await fetch(page, { headers: { authorization: basic } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    const queues = await json(await admin.call('/admin/queues/api/queues'), 200);
    const list = queues.queues as Array<{ name: string; counts: Record<string, number> }>;
    expect(list.map((q) => q.name).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
    expect(list.find((q) => q.name === QUEUE_NAMES.export)?.counts.completed).toBe(1);
  });

  it('every worker log line of the export carries its request id, job id, resource and user', async () => {
    const lines = logLines(system.worker.output).filter(
      (l) => l['jobId'] === rqId || l['requestId'] === rqId,
    );
    const messages = lines.map((l) => l['msg']);
    expect(messages).toEqual(expect.arrayContaining(['export started', 'export finished', 'job completed']));
    expect(
      messages.filter((m) => typeof m === 'string' && m.startsWith('export phase')).length,
    ).toBeGreaterThan(0);
    for (const line of lines)
      expect(line, String(line['msg'])).toMatchObject({
        queue: QUEUE_NAMES.export,
        jobId: rqId,
        requestId: rqId,
        resource: `task ${task}`,
        userId: admin.id,
      });
    expect(lines.find((l) => l['msg'] === 'export finished')).toMatchObject({ bytes: archiveBytes });

    const restoreLines = logLines(system.worker.output).filter((l) => l['jobId'] === restoreId);
    expect(restoreLines.map((l) => l['msg'])).toEqual(
      expect.arrayContaining(['import started', 'import finished', 'job completed']),
    );
    for (const line of restoreLines)
      expect(line, String(line['msg'])).toMatchObject({
        queue: QUEUE_NAMES.import,
        requestId: restoreId,
        resource: 'task (restore)',
        userId: admin.id,
      });

    const queued = logLines(api.output).find((l) => l['msg'] === 'export queued');
    expect(queued).toMatchObject({
      requestId: rqId,
      resource: `task ${task}`,
      userId: admin.id,
      created: true,
    });
    // The API's request id (x-request-id) is on the same line, so the two ids join up.
    expect(queued?.['reqId']).toEqual(expect.any(String));
  });
});
