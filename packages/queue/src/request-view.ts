/**
 * CVAT's request object of one export or import job. The API answers `/api/requests` with it and the
 * worker sends it as the payload of `backup:*` / `restore:*` webhook events, so both show one shape.
 */
import type { Job, JobState } from 'bullmq';
import {
  type ExportJobPayload,
  type ImportJobPayload,
  type JobProgress,
  progressFraction,
  progressSchema,
} from './job-payloads.js';

/** A request as it lives in BullMQ: which queue, the job and its state. */
export type FoundRequest =
  | { kind: 'export'; job: Job<ExportJobPayload>; state: JobState | 'unknown' }
  | { kind: 'import'; job: Job<ImportJobPayload>; state: JobState | 'unknown' };

export type RequestStatus = 'queued' | 'started' | 'finished' | 'failed';

/** CVAT's `RequestSerializer` object (format doc §10.7). */
export interface RequestView {
  status: RequestStatus;
  message: string;
  id: string;
  operation: {
    type: 'export:backup' | 'import:backup' | 'create:task';
    target: 'task' | 'project';
    project_id: number | null;
    task_id: number | null;
    job_id: null;
    format: null;
    lightweight: true | null;
  };
  progress: number;
  created_date: string;
  started_date: string | null;
  finished_date: string | null;
  expiry_date: string | null;
  owner: { id: number; username: string } | null;
  result_url: string | null;
  result_id: number | null;
}

export interface ViewContext {
  /** `http://host:port` for `result_url`. */
  origin: string;
  owner: { id: number; username: string } | null;
  resultTtlSeconds: number;
  failureTtlSeconds: number;
}

export function requestStatus(state: string): RequestStatus {
  if (state === 'active') return 'started';
  if (state === 'completed') return 'finished';
  if (state === 'failed') return 'failed';
  // waiting, delayed (also a retry after a transient failure), prioritized, waiting-children.
  return 'queued';
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

function progressOf(raw: unknown): JobProgress | undefined {
  const parsed = progressSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** The project an export concerns: the project itself, or the task's project (null in older jobs). */
function exportProjectId(data: ExportJobPayload): number | null {
  return data.target === 'project' ? data.targetId : (data.projectId ?? null);
}

/** The request object of one BullMQ job, as `GET /api/requests/{id}` answers it. */
export function toRequestView(found: FoundRequest, context: ViewContext): RequestView {
  const { job } = found;
  const status = requestStatus(found.state);
  const target = job.data.target;
  const progress = progressOf(job.progress);
  const ttl = status === 'finished' ? context.resultTtlSeconds : context.failureTtlSeconds;
  const finished = status === 'finished' || status === 'failed' ? job.finishedOn : undefined;
  const view: RequestView = {
    status,
    message:
      status === 'failed'
        ? // `CODE: text`, code kept: the stable code is what scripts and our CLI act on (its exit
          // status comes from it); CVAT's clients show the message as it is.
          (job.failedReason ?? '')
        : status === 'started'
          ? (progress?.phase ?? '')
          : '',
    id: job.id ?? '',
    operation: {
      type: found.kind === 'export' ? 'export:backup' : 'import:backup',
      target,
      project_id: found.kind === 'export' ? exportProjectId(found.job.data) : null,
      task_id: found.kind === 'export' && target === 'task' ? found.job.data.targetId : null,
      job_id: null,
      format: null,
      lightweight: found.kind === 'export' && found.job.data.lightweight ? true : null,
    },
    progress: status === 'finished' ? 1 : progressFraction(progress),
    created_date: new Date(job.timestamp).toISOString(),
    started_date: iso(job.processedOn),
    finished_date: iso(finished),
    expiry_date: finished ? new Date(finished + ttl * 1000).toISOString() : null,
    owner: context.owner,
    result_url: null,
    result_id: null,
  };
  if (status !== 'finished') return view;
  if (found.kind === 'export') {
    // The export outcome (`@cvat-backup/backup`): only a local archive has a download URL.
    const outcome = found.job.returnvalue as unknown as { location?: string } | undefined;
    if (outcome?.location === 'local')
      view.result_url = `${context.origin}/api/${target}s/${found.job.data.targetId}/backup/download?rq_id=${encodeURIComponent(view.id)}`;
  } else {
    const result = found.job.returnvalue as unknown as { id?: unknown } | undefined;
    if (typeof result?.id === 'number') view.result_id = result.id;
  }
  return view;
}
