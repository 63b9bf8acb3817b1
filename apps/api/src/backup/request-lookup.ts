import type { Actor } from '@cvat-backup/catalog';
import type { ExportJobPayload, FoundRequest, ImportJobPayload } from '@cvat-backup/queue';
import { type BackupProducer, parseRequestId, readJobSnapshot } from '@cvat-backup/queue';
import type { Job } from 'bullmq';

export type { FoundRequest } from '@cvat-backup/queue';

/** States in which a job has not been taken by a worker yet (CVAT's `queued`/`deferred`/`scheduled`). */
export const NOT_STARTED: ReadonlySet<string> = new Set([
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
]);

/**
 * Finds a request by id in the export or import queue. Ids made here name their queue; an id an
 * outside server chose for an import is looked up in both.
 */
export async function findRequest(producer: BackupProducer, rqId: string): Promise<FoundRequest | undefined> {
  const key = parseRequestId(rqId);
  if (key?.action !== 'import') {
    const found = await readJobSnapshot<ExportJobPayload>(producer.exports, rqId);
    if (found) return { kind: 'export', ...found };
  }
  if (key?.action !== 'export') {
    const found = await readJobSnapshot<ImportJobPayload>(producer.imports, rqId);
    if (found) return { kind: 'import', ...found };
  }
  return undefined;
}

/** Only the requester or an administrator may see a request, its result or its result id. */
export function mayAccess(actor: Actor, job: Job<{ userId: number }>): boolean {
  return actor.isAdmin || job.data?.userId === actor.id;
}
