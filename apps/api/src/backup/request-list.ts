import type { ListQuery, Page } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { BackupProducer, FoundRequest, RequestView } from '@cvat-backup/queue';
import type { Job, JobType } from 'bullmq';

const STATES: JobType[] = [
  'waiting',
  'prioritized',
  'delayed',
  'waiting-children',
  'active',
  'completed',
  'failed',
];
const BATCH = 500;
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

/**
 * The user's requests of both queues, filtered, sorted (`-created_date` by default) and paged as
 * CVAT's `GET /api/requests`. Jobs are read from Redis in batches; only the user's are kept, and
 * they are bounded by the result TTL.
 */
export async function listRequests(
  producer: BackupProducer,
  userId: number,
  query: ListQuery,
  toView: (found: FoundRequest) => Promise<RequestView>,
): Promise<Page<RequestView>> {
  const views: RequestView[] = [];
  for (const [kind, queue] of [
    ['export', producer.exports],
    ['import', producer.imports],
  ] as const) {
    for (const state of STATES) {
      for (let start = 0; ; start += BATCH) {
        const jobs = (await queue.getJobs([state], start, start + BATCH - 1, true)) as Job[];
        for (const job of jobs) {
          if (!job || job.data?.userId !== userId) continue;
          views.push(await toView({ kind, job, state } as FoundRequest));
        }
        if (jobs.length < BATCH) break;
      }
    }
  }
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
