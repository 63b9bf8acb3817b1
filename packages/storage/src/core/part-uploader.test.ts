import { AppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import type { CommitResult } from '../storage-driver.js';
import { type PartBackend, PartUploader } from './part-uploader.js';

/** Keeps parts in memory; `failures` makes given part numbers fail with given errors first. */
class MemoryBackend implements PartBackend<number> {
  readonly log: string[] = [];
  readonly parts = new Map<number, Buffer>();
  inFlight = 0;
  maxInFlight = 0;
  committed: Buffer | undefined;
  constructor(private readonly failures = new Map<number, Error[]>()) {}
  async begin(): Promise<void> {
    this.log.push('begin');
  }
  async uploadPart(n: number, data: Buffer, _signal?: AbortSignal): Promise<number> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 2));
      const failure = this.failures.get(n)?.shift();
      if (failure) throw failure;
      this.parts.set(n, Buffer.from(data));
      this.log.push(`part ${n}`);
      return n;
    } finally {
      this.inFlight--;
    }
  }
  async complete(parts: number[]): Promise<CommitResult> {
    this.log.push('complete');
    this.committed = Buffer.concat(parts.map((n) => this.parts.get(n)!));
    return { size: this.committed.length };
  }
  async putWhole(data: Buffer): Promise<CommitResult> {
    this.log.push('putWhole');
    this.committed = Buffer.from(data);
    return { size: data.length };
  }
  async discard(): Promise<void> {
    this.log.push('discard');
  }
}

const where = { storage: 'memory', key: 'k' };
const transient = () => new AppError('STORAGE_UNAVAILABLE', { ...where, reason: 'reset' });
const options = {
  plan: () => 10,
  queueSize: 2,
  retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
  map: (err: unknown) => err as AppError,
  attemptTimeoutMs: () => 1000,
};

async function feed(uploader: PartUploader<number>, data: Buffer, chunk = 7) {
  for (let i = 0; i < data.length; i += chunk) await uploader.write(data.subarray(i, i + chunk));
}

describe('PartUploader', () => {
  const data = Buffer.from('the quick brown fox jumps over the lazy dog, twice over');

  it('cuts the stream into parts and completes them in order', async () => {
    const backend = new MemoryBackend();
    const uploader = new PartUploader(backend, options);
    await feed(uploader, data);
    expect(await uploader.commit()).toEqual({ size: data.length });
    expect(backend.committed?.equals(data)).toBe(true);
    expect(backend.log[0]).toBe('begin');
    expect(backend.log.at(-1)).toBe('complete');
    expect(backend.parts.size).toBe(Math.ceil(data.length / 10));
  });

  it('sends a write smaller than one part in a single request at commit', async () => {
    const backend = new MemoryBackend();
    const uploader = new PartUploader(backend, options);
    await uploader.write(Buffer.from('tiny'));
    expect(backend.log).toEqual([]);
    await uploader.commit();
    expect(backend.log).toEqual(['putWhole']);
  });

  it('keeps at most queueSize parts in flight', async () => {
    const backend = new MemoryBackend();
    const uploader = new PartUploader(backend, { ...options, plan: () => 4 });
    await feed(uploader, data, 13);
    await uploader.commit();
    // Exactly queueSize: fewer would leave the connection pool idle while the next part fills.
    expect(backend.maxInFlight).toBe(2);
    expect(backend.committed?.equals(data)).toBe(true);
  });

  it('takes the next part while the only one in flight travels (queueSize 1), and no more', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const backend = new MemoryBackend();
    const upload = backend.uploadPart.bind(backend);
    const sent: number[] = [];
    backend.uploadPart = async (n, part, signal) => {
      sent.push(n);
      if (n === 1) await gate;
      return upload(n, part, signal);
    };
    const uploader = new PartUploader(backend, { ...options, queueSize: 1, plan: () => 4 });
    // Part 1 goes out and is held; the first bytes of part 2 are still taken.
    await uploader.write(Buffer.from('abcdef'));
    expect(sent).toEqual([1]);
    // Completing part 2 means sending it, which waits for part 1: this write must not resolve yet.
    let second = false;
    const writing = uploader.write(Buffer.from('ghijkl')).then(() => {
      second = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(second).toBe(false);
    expect(sent).toEqual([1]);
    release();
    await writing;
    await uploader.commit();
    expect(backend.maxInFlight).toBe(1);
    expect(backend.committed?.toString()).toBe('abcdefghijkl');
  });

  it('retries a part that failed transiently and still commits the right bytes', async () => {
    const backend = new MemoryBackend(new Map([[2, [transient(), transient()]]]));
    const uploader = new PartUploader(backend, options);
    await feed(uploader, data);
    await uploader.commit();
    expect(backend.committed?.equals(data)).toBe(true);
  });

  it('aborts the upload when a part fails for good, and never completes it', async () => {
    const denied = new AppError('STORAGE_ACCESS_DENIED', { ...where, reason: '403' });
    const backend = new MemoryBackend(new Map([[1, [denied]]]));
    const uploader = new PartUploader(backend, options);
    const failed = await feed(uploader, data)
      .then(
        () => uploader.commit(),
        (err: unknown) => Promise.reject(err),
      )
      .catch((err: unknown) => err);
    expect(failed).toMatchObject({ code: 'STORAGE_ACCESS_DENIED' });
    await uploader.abort();
    expect(backend.log).toContain('discard');
    expect(backend.log).not.toContain('complete');
  });

  it('gives up on a part after the retry attempts', async () => {
    const backend = new MemoryBackend(new Map([[1, [transient(), transient(), transient()]]]));
    const uploader = new PartUploader(backend, options);
    const failed = await feed(uploader, data)
      .then(() => uploader.commit())
      .catch((err: unknown) => err);
    expect(failed).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
  });

  it('cancels an attempt that outlives its timeout and retries it as a stall', async () => {
    let attempts = 0;
    const backend = new MemoryBackend();
    backend.uploadPart = async (n: number, part: Buffer, signal?: AbortSignal) => {
      attempts++;
      if (attempts === 1)
        await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      backend.parts.set(n, Buffer.from(part));
      return n;
    };
    const uploader = new PartUploader(backend, {
      ...options,
      attemptTimeoutMs: () => 50,
      map: (err) =>
        err instanceof AppError
          ? err
          : new AppError(
              (err as Error).name === 'StorageStallError' ? 'STORAGE_UNAVAILABLE' : 'STORAGE_FAILED',
              {
                ...where,
                reason: String(err),
              },
            ),
    });
    await feed(uploader, data);
    await uploader.commit();
    expect(attempts).toBeGreaterThan(1);
    expect(backend.committed?.equals(data)).toBe(true);
  });
});
