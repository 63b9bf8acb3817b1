import { Readable } from 'node:stream';
import { AppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { readAll } from '../contract/test-data.js';
import { type OpenedRange, resumableRead } from './resumable-read.js';
import { isTransientNetworkError } from './transient.js';

const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
const where = { storage: 'memory', key: 'k' };
const map = (err: unknown) =>
  err instanceof AppError
    ? err
    : new AppError(isTransientNetworkError(err) ? 'STORAGE_UNAVAILABLE' : 'STORAGE_FAILED', {
        ...where,
        reason: String(err),
      });
const options = { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, idleTimeoutMs: 200, map };

type Behaviour = 'ok' | 'reset' | 'stall' | 'short' | 'dead';

/** Serves ranges of `data`; each open takes the next behaviour (then "ok"). */
function opener(behaviours: Behaviour[], opens: Array<[number, number | undefined, string | undefined]>) {
  return async (
    start: number,
    end: number | undefined,
    version: string | undefined,
  ): Promise<OpenedRange> => {
    opens.push([start, end, version]);
    const stop = end ?? data.length;
    const slice = data.subarray(start, stop);
    const behaviour = behaviours.shift() ?? 'ok';
    const half = slice.subarray(0, Math.floor(slice.length / 2));
    if (behaviour === 'dead') {
      const dead = new Readable({ read() {} });
      setTimeout(() => dead.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 1);
      return { body: dead, end: stop, version: 'v1' };
    }
    const body =
      behaviour === 'ok'
        ? Readable.from([slice], { objectMode: false })
        : new Readable({
            read() {
              if (this.readableLength === 0 && !(this as { sent?: boolean }).sent) {
                (this as { sent?: boolean }).sent = true;
                this.push(half);
                if (behaviour === 'reset')
                  setTimeout(
                    () => this.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })),
                    5,
                  );
                if (behaviour === 'short') setTimeout(() => this.push(null), 5);
                // "stall": push nothing more, ever.
              }
            },
          });
    return { body, end: stop, version: 'v1' };
  };
}

describe('resumableRead', () => {
  it('resumes after a reset at the first byte not delivered, pinned to the version', async () => {
    const opens: Array<[number, number | undefined, string | undefined]> = [];
    const out = await readAll(await resumableRead(opener(['reset'], opens), 0, undefined, options));
    expect(out.equals(data)).toBe(true);
    expect(opens).toEqual([
      [0, undefined, undefined],
      [2500, 5000, 'v1'],
    ]);
  });

  it('resumes after a stalled body and after a body that ends early', async () => {
    for (const fault of ['stall', 'short'] as const) {
      const opens: Array<[number, number | undefined, string | undefined]> = [];
      const out = await readAll(await resumableRead(opener([fault], opens), 1000, 3000, options));
      expect(out.equals(data.subarray(1000, 3000)), fault).toBe(true);
      expect(opens).toHaveLength(2);
    }
  });

  it('gives up with a retryable coded error when attempts keep breaking without progress', async () => {
    const read = await resumableRead(opener(['reset', 'dead', 'dead', 'dead'], []), 0, undefined, options);
    await expect(readAll(read)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
  });

  it('fails the call itself when the first open is refused', async () => {
    const refuse = async (): Promise<OpenedRange> => {
      throw new AppError('STORAGE_OBJECT_NOT_FOUND', { ...where, reason: '404' });
    };
    await expect(resumableRead(refuse, 0, undefined, options)).rejects.toMatchObject({
      code: 'STORAGE_OBJECT_NOT_FOUND',
    });
  });

  it('fails an open that never answers, as a stall', async () => {
    const never = () => new Promise<OpenedRange>(() => {});
    await expect(resumableRead(never, 0, undefined, options)).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      retryable: true,
    });
  });
});
