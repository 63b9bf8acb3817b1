import {
  type ExportOutcome,
  type ExportRunDependencies,
  recordScheduledArchive,
  runExport,
  scheduledExportKey,
} from '@cvat-backup/backup';
import type { Logger } from '@cvat-backup/common';
import { type ExportJobPayload, exportJobSchema, parsePayload } from '@cvat-backup/queue';
import type { Job } from 'bullmq';
import { withJobLog } from '../metrics/job-log.js';
import { progressReporter } from './progress-reporter.js';

/** The export queue's handler: one backup per job, its outcome kept as the job's result. */
export function exportHandler(deps: ExportRunDependencies & { logger: Logger }) {
  return (job: Job<ExportJobPayload, ExportOutcome>): Promise<ExportOutcome> =>
    withJobLog(
      deps.logger,
      job,
      'export',
      async (phase) => {
        const payload = parsePayload(exportJobSchema, job.data);
        const report = progressReporter(job);
        const scheduledKey = scheduledExportKey(payload);
        const outcome = await runExport(
          deps,
          {
            target: payload.target,
            id: payload.targetId,
            lightweight: payload.lightweight,
            destination: payload.destination,
            ...(payload.filename ? { filename: payload.filename } : {}),
            ...(scheduledKey ? { key: scheduledKey } : {}),
          },
          (p) => {
            phase(p.phase);
            report({ phase: p.phase, bytes: p.bytes, entries: p.entries });
          },
        );
        const destination = payload.destination;
        await recordScheduledArchive(deps.catalog, payload, outcome, async () =>
          destination.location === 'local' ? deps.archives : deps.cloudStorage(destination.cloudStorageId),
        );
        return outcome;
      },
      (outcome) => ({ bytes: outcome.size, location: outcome.location, reused: outcome.reused }),
    );
}
