import { setTimeout as sleep } from 'node:timers/promises';
import type { AppError } from '@cvat-backup/common';
import { StorageStallError } from './transient.js';

/** How often and how patiently a transient failure is retried. */
export interface RetryPolicy {
  /** Total tries, the first included (1 = no retry). */
  attempts: number;
  /** Backoff ceiling before the first retry; it doubles each retry. */
  baseDelayMs: number;
  /** Largest backoff ceiling. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

/** "Full jitter" backoff: uniform in [0, min(max, base·2^retry)], so many clients spread out. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(Math.random() * ceiling);
}

/**
 * Runs `op`, mapping each failure to a coded error once; retryable ones are tried again with
 * jittered exponential backoff until the attempts run out, permanent ones are thrown at once.
 */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  map: (err: unknown) => AppError,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      const mapped = map(err);
      if (!mapped.retryable || attempt + 1 >= policy.attempts || signal?.aborted) throw mapped;
      await sleep(backoffDelay(policy, attempt), undefined, signal ? { signal } : undefined).catch(() => {
        throw mapped;
      });
    }
  }
}

/**
 * {@link withRetry} with a deadline per attempt: an attempt still running after `timeoutMs` is
 * cancelled through its signal and fails as a transient stall, so a server that accepts a request
 * and never answers costs a retry, not a hung job. The attempt is given up on at the deadline even
 * if the SDK ignores the signal (Azure's own timeout is only a hint sent to the server).
 */
export function withDeadlineRetry<T>(
  op: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  map: (err: unknown) => AppError,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> {
  const attempt = async () => {
    const cancel = new AbortController();
    const onCancel = () => cancel.abort(signal?.reason);
    signal?.addEventListener('abort', onCancel, { once: true });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        const err = new StorageStallError(`no answer within ${timeoutMs} ms`);
        cancel.abort(err);
        reject(err);
      }, timeoutMs);
    });
    try {
      return await Promise.race([op(cancel.signal), stalled]);
    } catch (err) {
      throw timedOut && !signal?.aborted ? new StorageStallError(`no answer within ${timeoutMs} ms`) : err;
    } finally {
      // Drop the timer and the listener now: they hold the attempt (and a part's buffer) alive.
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCancel);
    }
  };
  return withRetry(attempt, policy, map, signal);
}
