import type { ListQuery, Page } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import {
  type BackupProducer,
  type ExportJobPayload,
  type FoundRequest,
  type ImportJobPayload,
  type IndexEntry,
  type RequestView,
  readJobSnapshot,
} from '@cvat-backup/queue';

const SORTABLE = new Set(['created_date', 'status', 'action']);

function filterValue(view: RequestView, name: string): unknown {
  switch (name) {
    case 'status':
      return view.status;
    case 'action':
      return view.operation.type.split(':')[0];
    case 'target':
      return view.operation.target;
    case 'subresource':
      return 'backup';
    case 'project_id':
      return view.operation.project_id;
    case 'task_id':
      return view.operation.task_id;
    case 'job_id':
      return view.operation.job_id;
    case 'format':
      return view.operation.format;
    default:
      return undefined;
  }
}

function sortKey(view: RequestView, field: string): string {
  return field === 'action' ? view.operation.type : field === 'status' ? view.status : view.created_date;
}

/** The job behind one index entry, or undefined when it is gone. */
async function lookUp(producer: BackupProducer, entry: IndexEntry): Promise<FoundRequest | undefined> {
  if (entry.kind === 'export') {
    const found = await readJobSnapshot<ExportJobPayload>(producer.exports, entry.jobId);
    return found && { kind: 'export', ...found };
  }
  const found = await readJobSnapshot<ImportJobPayload>(producer.imports, entry.jobId);
  return found && { kind: 'import', ...found };
}

/**
 * The user's requests of both queues, filtered, sorted (`-created_date` by default) and paged as
 * CVAT's `GET /api/requests`. Only the user's own jobs are read, through the producer's per-user
 * index (jobs from before the index existed are indexed once, by the first list); entries whose job
 * expired or was removed are pruned on the way.
 */
export async function listRequests(
  producer: BackupProducer,
  userId: number,
  query: ListQuery,
  toView: (found: FoundRequest) => Promise<RequestView>,
): Promise<Page<RequestView>> {
  await producer.index.ensureBackfilled(producer);
  const entries = await producer.index.entries(userId);
  const found = await Promise.all(entries.map((entry) => lookUp(producer, entry)));
  await producer.index.prune(
    userId,
    entries.filter((_, i) => !found[i]),
  );
  const views: RequestView[] = [];
  // An id an outside server chose could name another user's job: only the user's own are shown.
  for (const request of found)
    if (request && request.job.data?.userId === userId) views.push(await toView(request));
  const filters = Object.entries(query.filters ?? {});
  const kept = views.filter((v) =>
    filters.every(([name, want]) => String(filterValue(v, name)) === String(want)),
  );
  const order = (query.sort ?? '-created_date')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const field of order)
    if (!SORTABLE.has(field.replace(/^-/, '')))
      throw new AppError('VALIDATION_FAILED', {
        problems: `sort by created_date, status or action, not "${field}"`,
      });
  kept.sort((a, b) => {
    for (const field of order) {
      const name = field.replace(/^-/, '');
      const cmp = sortKey(a, name).localeCompare(sortKey(b, name));
      if (cmp !== 0) return field.startsWith('-') ? -cmp : cmp;
    }
    return 0;
  });
  const size = query.pageSize ?? 10;
  if (size === 'all') return { count: kept.length, results: kept };
  const page = query.page ?? 1;
  return { count: kept.length, results: kept.slice((page - 1) * size, page * size) };
}
