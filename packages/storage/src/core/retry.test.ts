import { AppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { backoffDelay, withDeadlineRetry, withRetry } from './retry.js';

const policy = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
const transient = () => new AppError('STORAGE_UNAVAILABLE', { storage: 's', key: 'k', reason: 'reset' });
const permanent = () => new AppError('STORAGE_ACCESS_DENIED', { storage: 's', key: 'k', reason: '403' });
const asIs = (err: unknown) => err as AppError;

describe('withRetry', () => {
  it('retries transient failures until one attempt succeeds', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw transient();
        return 'ok';
      },
      policy,
      asIs,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('throws a permanent failure at once', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw permanent();
        },
        policy,
        asIs,
      ),
    ).rejects.toMatchObject({ code: 'STORAGE_ACCESS_DENIED' });
    expect(calls).toBe(1);
  });

  it('gives up after the configured attempts with the last coded error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient();
        },
        policy,
        asIs,
      ),
    ).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
    expect(calls).toBe(4);
  });

  it('maps raw failures through the mapper once per attempt', async () => {
    const seen: unknown[] = [];
    await expect(
      withRetry(
        async () => {
          throw new Error('raw');
        },
        policy,
        (err) => {
          seen.push(err);
          return permanent();
        },
      ),
    ).rejects.toMatchObject({ code: 'STORAGE_ACCESS_DENIED' });
    expect(seen).toHaveLength(1);
  });

  it('stops retrying once the signal is aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          controller.abort();
          throw transient();
        },
        policy,
        asIs,
        controller.signal,
      ),
    ).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(calls).toBe(1);
  });

  it('draws backoff uniformly below an exponentially growing, capped ceiling', () => {
    const samples = (retry: number) => Array.from({ length: 2000 }, () => backoffDelay(policy, retry));
    for (const [retry, ceiling] of [
      [0, 5],
      [1, 10],
      [2, 20],
      [6, 20],
    ] as const) {
      const s = samples(retry);
      expect(Math.min(...s)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...s)).toBeLessThan(ceiling);
      // Jitter: the draws spread out instead of all waiting the same time.
      expect(new Set(s).size).toBeGreaterThan(Math.min(ceiling - 1, 3));
    }
  });
});

describe('withDeadlineRetry', () => {
  it('cuts an attempt that never settles, even one that ignores its signal, and retries it', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const result = await withDeadlineRetry(
      (signal) => {
        signals.push(signal);
        calls++;
        // The first attempt hangs forever and pays no attention to the signal.
        return calls === 1 ? new Promise<string>(() => {}) : Promise.resolve('ok');
      },
      policy,
      (err) =>
        err instanceof AppError
          ? err
          : new AppError('STORAGE_UNAVAILABLE', { storage: 's', key: 'k', reason: String(err) }),
      30,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(2);
    expect(signals[0]?.aborted).toBe(true);
  });

  it('does not retry when the caller cancelled', async () => {
    const caller = new AbortController();
    let calls = 0;
    const running = withDeadlineRetry(
      (signal) => {
        calls++;
        return new Promise<string>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      },
      policy,
      () => transient(),
      10_000,
      caller.signal,
    );
    caller.abort();
    await expect(running).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(calls).toBe(1);
  });
});
