import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { type FoundRequest, requestStatus, toRequestView } from './request-view.js';

const context = {
  origin: 'http://host:8080',
  owner: { id: 3, username: 'ann' },
  resultTtlSeconds: 3600,
  failureTtlSeconds: 60,
};
const T0 = Date.UTC(2025, 2, 1, 14, 5, 10);
const exportId = 'action=export&target=task&target_id=42&user_id=3&lightweight=True&subresource=backup';

/** A job as BullMQ hands it back (the view reads only these fields). */
const job = (fields: Partial<Job>) => ({ timestamp: T0, ...fields }) as unknown as Job;

describe('request view (CVAT’s RequestSerializer from a BullMQ job)', () => {
  it('maps BullMQ states onto CVAT’s four statuses', () => {
    expect(
      ['waiting', 'delayed', 'prioritized', 'waiting-children', 'active', 'completed', 'failed'].map(
        requestStatus,
      ),
    ).toEqual(['queued', 'queued', 'queued', 'queued', 'started', 'finished', 'failed']);
  });

  it('shows a finished local export with its result_url, dates and expiry', () => {
    const found = {
      kind: 'export',
      state: 'completed',
      job: job({
        id: exportId,
        data: { target: 'task', targetId: 42, userId: 3, lightweight: true } as never,
        processedOn: T0 + 200,
        finishedOn: T0 + 2000,
        progress: { phase: 'done', bytes: 10, entries: 3 },
        returnvalue: { location: 'local', key: 'task-42/1.zip', filename: 'a.zip' } as never,
      }),
    } as FoundRequest;
    expect(toRequestView(found, context)).toEqual({
      status: 'finished',
      message: '',
      id: exportId,
      operation: {
        type: 'export:backup',
        target: 'task',
        project_id: null,
        task_id: 42,
        job_id: null,
        format: null,
        lightweight: true,
      },
      progress: 1,
      created_date: '2025-03-01T14:05:10.000Z',
      started_date: '2025-03-01T14:05:10.200Z',
      finished_date: '2025-03-01T14:05:12.000Z',
      expiry_date: '2025-03-01T15:05:12.000Z',
      owner: { id: 3, username: 'ann' },
      result_url: `http://host:8080/api/tasks/42/backup/download?rq_id=${encodeURIComponent(exportId)}`,
      result_id: null,
    });
  });

  it('gives a cloud export no result_url, a running one its phase and progress', () => {
    const data = { target: 'project', targetId: 7, userId: 3, lightweight: false } as never;
    const cloud = toRequestView(
      {
        kind: 'export',
        state: 'completed',
        job: job({ id: 'x', data, finishedOn: T0, returnvalue: { location: 'cloud_storage' } as never }),
      } as FoundRequest,
      context,
    );
    expect([cloud.result_url, cloud.operation.project_id, cloud.operation.lightweight]).toEqual([
      null,
      7,
      null,
    ]);
    const running = toRequestView(
      {
        kind: 'export',
        state: 'active',
        job: job({
          id: 'x',
          data,
          processedOn: T0,
          progress: { phase: 'writing-media', bytes: 25, totalBytes: 100, entries: 1 },
        }),
      } as FoundRequest,
      context,
    );
    expect([running.status, running.message, running.progress, running.expiry_date]).toEqual([
      'started',
      'writing-media',
      0.25,
      null,
    ]);
  });

  it('shows a finished import’s result_id and a failed one’s coded message with the failure TTL', () => {
    const data = { target: 'task', userId: 3, source: { kind: 'staged', key: 'k' } } as never;
    const done = toRequestView(
      {
        kind: 'import',
        state: 'completed',
        job: job({ id: 'i', data, finishedOn: T0, returnvalue: { id: 9, created: true } as never }),
      } as FoundRequest,
      context,
    );
    expect([done.operation.type, done.result_id, done.result_url, done.operation.task_id]).toEqual([
      'import:backup',
      9,
      null,
      null,
    ]);
    const failed = toRequestView(
      {
        kind: 'import',
        state: 'failed',
        job: job({
          id: 'i',
          data,
          finishedOn: T0,
          failedReason: 'FORMAT_NOT_A_ZIP: The file is not a zip archive',
        }),
      } as FoundRequest,
      context,
    );
    expect(failed).toMatchObject({
      status: 'failed',
      message: 'FORMAT_NOT_A_ZIP: The file is not a zip archive',
      expiry_date: '2025-03-01T14:06:10.000Z',
      result_id: null,
    });
  });

  it('gives a task export its project as project_id (CVAT’s operation.project_id), null in older jobs', () => {
    const view = (data: object) =>
      toRequestView(
        { kind: 'export', state: 'waiting', job: job({ id: 'x', data: data as never }) } as FoundRequest,
        context,
      ).operation;
    const task = { target: 'task', targetId: 42, userId: 3, lightweight: false };
    expect(view({ ...task, projectId: 5 })).toMatchObject({ project_id: 5, task_id: 42 });
    expect(view(task)).toMatchObject({ project_id: null, task_id: 42 });
  });
});
