import { ERROR_REGISTRY, isErrorCode } from '@cvat-backup/common';
import type { Progress } from '../output/progress.js';
import type { ApiClient } from './api-client.js';
import { CliError, exitCodeFor } from './cli-error.js';

/** CVAT's request object (`GET /api/requests/{rq_id}`), the fields the CLI reads. */
export interface RequestView {
  id: string;
  status: 'queued' | 'started' | 'finished' | 'failed';
  message: string;
  progress: number;
  operation: { type: string; target: string; task_id: number | null; project_id: number | null };
  created_date: string;
  finished_date: string | null;
  result_url: string | null;
  result_id: number | null;
}

/**
 * A failed job's message is `CODE: text` (the worker's coded error): keep that code, and take the
 * exit code from the status the registry gives it (a missing object is 4, like a 404).
 */
export function failure(view: RequestView): CliError {
  const match = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(view.message);
  const code = match?.[1] ?? 'CLI_REQUEST_FAILED';
  const message = match?.[2] ?? (view.message || `request ${view.id} failed`);
  const status = isErrorCode(code) ? ERROR_REGISTRY[code].status : undefined;
  return new CliError(code, message, exitCodeFor(code, status));
}

export const requestPath = (rqId: string) => `/api/requests/${encodeURIComponent(rqId)}`;

/**
 * Polls a request until it finished (returned) or failed (thrown with the job's code), showing
 * the server's phase and fraction. Polls fast at first, then every 2 s. The server reads a job and
 * its state in two steps, so a job settling in between can show as finished or failed without its
 * outcome (and without finished_date): such an answer is asked again.
 */
export async function waitForRequest(
  client: ApiClient,
  rqId: string,
  progress: Progress,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<RequestView> {
  let delay = 200;
  for (;;) {
    const { body: view } = await client.json<RequestView>('GET', requestPath(rqId));
    if (view.status === 'failed' && view.finished_date) {
      progress.done();
      throw failure(view);
    }
    if (view.status === 'finished' && view.finished_date) return view;
    progress.phase(view.status === 'queued' ? 'queued' : view.message || 'started', view.progress ?? 0);
    await sleep(delay);
    delay = Math.min(2000, Math.round(delay * 1.5));
  }
}
