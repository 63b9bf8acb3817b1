import { type ImportDependencies, type ImportResult, runImport } from '@cvat-backup/backup';
import type { Logger } from '@cvat-backup/common';
import { type ImportJobPayload, importJobSchema, parsePayload } from '@cvat-backup/queue';
import type { StorageDriver } from '@cvat-backup/storage';
import type { Job } from 'bullmq';
import { withJobLog } from '../metrics/job-log.js';
import { progressReporter } from './progress-reporter.js';

export interface ImportHandlerDependencies extends ImportDependencies {
  /** Where the API stages uploaded archives. */
  staging: StorageDriver;
  cloudStorage(cloudStorageId: number): Promise<StorageDriver>;
  logger: Logger;
}

/**
 * The import queue's handler. The job id is the request id, and so the idempotency key: a retried
 * attempt finds what an earlier one committed. A staged upload is deleted once the restore committed.
 */
export function importHandler(deps: ImportHandlerDependencies) {
  return (job: Job<ImportJobPayload, ImportResult>): Promise<ImportResult> => {
    let bytes = 0;
    return withJobLog(
      deps.logger,
      job,
      'import',
      async (phase) => {
        const payload = parsePayload(importJobSchema, job.data);
        const report = progressReporter(job);
        const { source } = payload;
        const driver =
          source.kind === 'staged' ? deps.staging : await deps.cloudStorage(source.cloudStorageId);
        const result = await runImport(
          deps,
          {
            target: payload.target,
            source: { driver, key: source.key },
            userId: payload.userId,
            importRequestId: job.id!,
            ...(payload.projectId !== undefined ? { projectId: payload.projectId } : {}),
          },
          (p) => {
            bytes = p.bytes;
            phase(p.phase);
            report({ phase: p.phase, bytes: p.bytes, entries: 0 });
          },
        );
        // Best effort: a crash here leaves the upload to the staging sweep.
        if (source.kind === 'staged') await deps.staging.delete(source.key).catch(() => {});
        return result;
      },
      (result) => ({ bytes, resultId: result.id, created: result.created }),
    );
  };
}
