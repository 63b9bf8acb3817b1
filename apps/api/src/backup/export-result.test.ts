import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDriver } from '@cvat-backup/storage';
import type { Job } from 'bullmq';
import type { FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupServices } from './backup-services.js';
import { failedJobError, sendArchive } from './export-result.js';

/** A job as BullMQ hands it back (only the fields read here). */
const job = (fields: Partial<Job>) => fields as unknown as Job;

describe('export results', () => {
  let root: string;
  let services: Pick<BackupServices, 'archives' | 'resultTtlSeconds'>;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cvb-archives-'));
    services = { archives: new LocalDriver({ kind: 'local', root }), resultTtlSeconds: 60 };
    const write = services.archives.openWrite('task-1/1.zip');
    write.end(Buffer.from('PK'));
    await write.commit();
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('keeps a failed job’s code, status and text; an uncoded failure is a 500 with its text', () => {
    const coded = failedJobError(
      job({ failedReason: 'BACKUP_TASK_WITHOUT_DATA: Backup of a task without data is not allowed' }),
    );
    expect([coded.code, coded.status, coded.message]).toEqual([
      'BACKUP_TASK_WITHOUT_DATA',
      400,
      'Backup of a task without data is not allowed',
    ]);
    const other = failedJobError(job({ failedReason: 'connect ECONNRESET' }));
    expect([other.code, other.status, other.message]).toEqual(['INTERNAL', 500, 'connect ECONNRESET']);
    const unknownCode = failedJobError(job({ failedReason: 'SOMETHING_ELSE: boom' }));
    expect([unknownCode.status, unknownCode.message]).toEqual([500, 'SOMETHING_ELSE: boom']);
    expect(failedJobError(job({})).message).toBe('the job failed without a reason');
  });

  it('answers "expired" past the result TTL, and when the archive is gone', async () => {
    const outcome = { location: 'local', key: 'task-1/1.zip', filename: 'a.zip' };
    const finished = Date.now();
    const reply = {} as FastifyReply;
    await expect(
      sendArchive(reply, services, job({ finishedOn: finished, returnvalue: outcome }), finished + 61_000),
    ).rejects.toMatchObject({ code: 'BACKUP_API_RESULT_EXPIRED', status: 404 });
    await expect(
      sendArchive(
        reply,
        services,
        job({ finishedOn: finished, returnvalue: { ...outcome, key: 'task-1/2.zip' } }),
      ),
    ).rejects.toMatchObject({
      code: 'BACKUP_API_RESULT_EXPIRED',
      message: 'The exported file has expired, please retry exporting',
    });
  });
});
