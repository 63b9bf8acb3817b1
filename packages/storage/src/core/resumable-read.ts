import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppError } from '@cvat-backup/common';
import { backoffDelay, type RetryPolicy, withRetry } from './retry.js';
import { StorageStallError } from './transient.js';

/** One opened ranged GET: its body and where it ends (exclusive, absolute offset). */
export interface OpenedRange {
  body: Readable;
  end: number;
  /** The version read (etag or generation), so a resumed read takes the same one. */
  version?: string;
}

/** Opens bytes `[start, end)` (to the object's end when `end` is absent) of one version. */
export type RangeOpener = (
  start: number,
  end: number | undefined,
  version: string | undefined,
) => Promise<OpenedRange>;

export interface ResumableReadOptions {
  retry: RetryPolicy;
  /** A body that yields nothing for this long is treated as a dropped connection. */
  idleTimeoutMs: number;
  map: (err: unknown) => AppError;
}

/**
 * Streams `[start, end)` from an opener, resuming after a dropped or stalled connection at the
 * first byte not yet delivered, pinned to the version first read. The first open happens before
 * this resolves, so "not found" and "access denied" surface from the call itself.
 */
export async function resumableRead(
  open: RangeOpener,
  start: number,
  end: number | undefined,
  options: ResumableReadOptions,
): Promise<Readable> {
  const first = await withRetry(
    () => bounded(open(start, end, undefined), options.idleTimeoutMs),
    options.retry,
    options.map,
  );
  return Readable.from(chunks(first, open, start, options), { objectMode: false, highWaterMark: 64 * 1024 });
}

async function* chunks(
  first: OpenedRange,
  open: RangeOpener,
  start: number,
  options: ResumableReadOptions,
): AsyncGenerator<Buffer> {
  let current = first;
  let position = start;
  let failures = 0;
  try {
    for (;;) {
      try {
        for await (const chunk of idleGuarded(current.body, options.idleTimeoutMs)) {
          position += chunk.length;
          failures = 0;
          yield chunk;
        }
        if (position < current.end)
          throw new StorageStallError(`the body ended ${current.end - position} bytes early`);
        return;
      } catch (err) {
        current.body.destroy();
        const mapped = options.map(err);
        if (!mapped.retryable || ++failures >= options.retry.attempts) throw mapped;
        await sleep(backoffDelay(options.retry, failures - 1));
        current = await withRetry(() => open(position, first.end, first.version), options.retry, options.map);
      }
    }
  } finally {
    current.body.destroy();
  }
}

/** Iterates a stream, failing with a stall error when one chunk takes longer than `idleMs`. */
async function* idleGuarded(body: Readable, idleMs: number): AsyncGenerator<Buffer> {
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new StorageStallError(`no data for ${idleMs} ms`);
        body.destroy(err);
        reject(err);
      }, idleMs);
    });
    let next: IteratorResult<Buffer>;
    try {
      next = await Promise.race([iterator.next(), stalled]);
    } finally {
      // Cleared before yielding: a slow consumer is backpressure, not a stall.
      clearTimeout(timer);
    }
    if (next.done) return;
    yield next.value;
  }
}

/** Fails an open that has no response within `ms`; a late response is closed, not leaked. */
function bounded(opening: Promise<OpenedRange>, ms: number): Promise<OpenedRange> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new StorageStallError(`no response within ${ms} ms`));
    }, ms);
  });
  opening.then(
    (opened) => {
      if (late) opened.body.destroy();
    },
    () => {},
  );
  return Promise.race([opening, timeout]).finally(() => clearTimeout(timer));
}
