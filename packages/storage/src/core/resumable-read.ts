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
  /** A body that yields nothing for this long (while the reader wants data) counts as dropped. */
  idleTimeoutMs: number;
  map: (err: unknown) => AppError;
}

/**
 * Streams `[start, end)` from an opener, resuming after a dropped, stalled or short connection at
 * the first byte not yet delivered, pinned to the version first read. Chunks are pushed straight
 * from the body into the returned Readable, the body paused while the reader is full (one hop, no
 * Transform in between: the read path is hot); a watchdog checks for stalls. The first open
 * happens before this resolves, so "not found" and "access denied" surface from the call itself.
 */
export async function resumableRead(
  open: RangeOpener,
  start: number,
  end: number | undefined,
  options: ResumableReadOptions,
): Promise<Readable> {
  const bounded = (s: number, e: number | undefined, v: string | undefined) =>
    withRetry(() => withDeadline(open(s, e, v), options.idleTimeoutMs), options.retry, options.map);
  const first = await bounded(start, end, undefined);
  let current = first;
  let detach = () => {};
  let position = start;
  let failures = 0;
  let lastProgress = Date.now();
  let reopening = false;
  // The reader is full: a quiet body is backpressure, not a stall.
  let full = false;

  const out = new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (full) {
        full = false;
        lastProgress = Date.now();
      }
      current.body.resume();
    },
    destroy(err, callback) {
      clearInterval(watchdog);
      detach();
      current.body.destroy();
      callback(err);
    },
  });

  const fail = (err: unknown) => {
    if (out.destroyed) return;
    detach();
    current.body.destroy();
    const mapped = options.map(err);
    if (!mapped.retryable || ++failures >= options.retry.attempts) {
      out.destroy(mapped);
      return;
    }
    reopening = true;
    sleep(backoffDelay(options.retry, failures - 1))
      .then(() => bounded(position, first.end, first.version))
      .then(
        (next) => {
          reopening = false;
          if (out.destroyed) next.body.destroy();
          else attach(next);
        },
        (reopenErr: unknown) => out.destroy(options.map(reopenErr)),
      );
  };

  const attach = (opened: OpenedRange) => {
    current = opened;
    lastProgress = Date.now();
    const body = opened.body;
    const onData = (chunk: Buffer) => {
      position += chunk.length;
      failures = 0;
      lastProgress = Date.now();
      if (!out.push(chunk)) {
        full = true;
        body.pause();
      }
    };
    const onEnd = () => {
      if (position < first.end)
        fail(new StorageStallError(`the body ended ${first.end - position} bytes early`));
      else out.push(null);
    };
    detach = () => {
      body.off('data', onData).off('end', onEnd).off('error', fail);
      // A late error of a body we gave up on must not go unhandled.
      body.on('error', () => {});
    };
    body.on('data', onData).once('end', onEnd).once('error', fail);
  };

  const watchdog = setInterval(
    () => {
      const waiting = !reopening && !full && !current.body.destroyed;
      if (waiting && Date.now() - lastProgress > options.idleTimeoutMs)
        current.body.destroy(new StorageStallError(`no data for ${options.idleTimeoutMs} ms`));
    },
    Math.max(10, Math.floor(options.idleTimeoutMs / 4)),
  );
  watchdog.unref();
  attach(first);
  return out;
}

/** Fails an open that has no response within `ms`; a late response is closed, not leaked. */
function withDeadline(opening: Promise<OpenedRange>, ms: number): Promise<OpenedRange> {
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
