import type { ExportOutcome } from '@cvat-backup/backup';
import { AppError, isAppError, isErrorCode } from '@cvat-backup/common';
import { contentDisposition } from '@cvat-backup/format';
import { failureCode, failureMessage } from '@cvat-backup/queue';
import type { Job } from 'bullmq';
import type { FastifyReply } from 'fastify';
import type { BackupServices } from './backup-services.js';

/**
 * A failed job as the error a client sees: its stored `CODE: message` keeps the code and the
 * registry's status (a bad archive is a 4xx, an unknown failure a 500), with the worker's text.
 */
export function failedJobError(job: Job): AppError {
  const reason = job.failedReason || 'the job failed without a reason';
  const code = failureCode(reason);
  if (code && isErrorCode(code)) return new AppError(code, {}, { message: failureMessage(reason) });
  return new AppError('INTERNAL', {}, { message: reason });
}

/** The outcome a finished export job returned. */
export function exportOutcome(job: Job): ExportOutcome {
  return job.returnvalue as ExportOutcome;
}

/**
 * The archive of a finished local export while it can still be downloaded: within the result TTL
 * and still in the archive store (the sweep removes expired ones); undefined otherwise.
 */
export async function liveArchive(
  services: Pick<BackupServices, 'archives' | 'resultTtlSeconds'>,
  job: Job,
  now: number = Date.now(),
): Promise<{ size: number } | undefined> {
  if ((job.finishedOn ?? now) + services.resultTtlSeconds * 1000 < now) return undefined;
  return (await services.archives.head(exportOutcome(job).key)) ?? undefined;
}

/**
 * Streams a finished local export's archive from the archive store as an attachment. Past the
 * result TTL, or once the sweep removed the file, it is 404 "expired" (format doc §10.4).
 */
export async function sendArchive(
  reply: FastifyReply,
  services: Pick<BackupServices, 'archives' | 'resultTtlSeconds'>,
  job: Job,
  now: number = Date.now(),
): Promise<FastifyReply> {
  const outcome = exportOutcome(job);
  const info = await liveArchive(services, job, now);
  if (!info) throw new AppError('BACKUP_API_RESULT_EXPIRED');
  const stream = await services.archives.read(outcome.key).catch((err: unknown) => {
    if (isAppError(err, 'STORAGE_OBJECT_NOT_FOUND')) throw new AppError('BACKUP_API_RESULT_EXPIRED');
    throw err;
  });
  return reply
    .code(200)
    .header('content-type', 'application/zip')
    .header('content-length', String(info.size))
    .header('content-disposition', contentDisposition(outcome.filename))
    .send(stream);
}
