import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import type { CommitResult } from '../storage-driver.js';
import { mappedSink, SinkWrite, type WriteSink } from './sink-write.js';

/** A sink that keeps what it is given in memory and records the calls made to it. */
class MemorySink implements WriteSink {
  readonly calls: string[] = [];
  readonly chunks: Buffer[] = [];
  constructor(private readonly failWriteAt = -1) {}
  async write(chunk: Buffer): Promise<void> {
    if (this.chunks.length === this.failWriteAt) throw new Error('disk on fire');
    this.calls.push('write');
    this.chunks.push(chunk);
  }
  async commit(): Promise<CommitResult> {
    this.calls.push('commit');
    return { size: Buffer.concat(this.chunks).length };
  }
  async abort(): Promise<void> {
    this.calls.push('abort');
  }
}

const where = { storage: 'memory', key: 'k' };
const map = (err: unknown) =>
  err instanceof AppError ? err : new AppError('STORAGE_FAILED', { ...where, reason: String(err) });

describe('SinkWrite', () => {
  it('does not commit when the stream ends, only on commit()', async () => {
    const sink = new MemorySink();
    const write = new SinkWrite(sink, where);
    await pipeline(async function* () {
      yield Buffer.from('abc');
      yield Buffer.from('def');
    }, write);
    expect(sink.calls).toEqual(['write', 'write']);
    expect(await write.commit()).toEqual({ size: 6 });
    expect(sink.calls.at(-1)).toBe('commit');
  });

  it('ends the stream itself when commit() comes first', async () => {
    const sink = new MemorySink();
    const write = new SinkWrite(sink, where);
    write.write(Buffer.from('xy'));
    expect(await write.commit()).toEqual({ size: 2 });
  });

  it('refuses a second commit and a commit after abort', async () => {
    const write = new SinkWrite(new MemorySink(), where);
    await write.commit();
    await expect(write.commit()).rejects.toMatchObject({ code: 'STORAGE_WRITE_CLOSED' });
    const aborted = new SinkWrite(new MemorySink(), where);
    await aborted.abort();
    await expect(aborted.commit()).rejects.toMatchObject({
      code: 'STORAGE_WRITE_CLOSED',
      details: expect.objectContaining({ state: 'aborted' }),
    });
  });

  it('treats abort after commit as a no-op and abort twice as one', async () => {
    const sink = new MemorySink();
    const write = new SinkWrite(sink, where);
    await write.commit();
    await write.abort();
    expect(sink.calls).not.toContain('abort');
    const other = new MemorySink();
    const twice = new SinkWrite(other, where);
    await twice.abort();
    await twice.abort();
    expect(other.calls.filter((c) => c === 'abort')).toHaveLength(1);
  });

  it('aborts the sink when the stream is destroyed', async () => {
    const sink = new MemorySink();
    const write = new SinkWrite(sink, where);
    const errored = new Promise((r) => write.on('error', r));
    write.destroy(new Error('upstream broke'));
    expect(await errored).toMatchObject({ message: 'upstream broke' });
    expect(sink.calls).toContain('abort');
    await expect(write.commit()).rejects.toMatchObject({ code: 'STORAGE_WRITE_CLOSED' });
  });

  it('aborts and reports the coded error when the sink fails a write', async () => {
    const sink = new MemorySink(1);
    const write = new SinkWrite(mappedSink(sink, map), where);
    const source = new PassThrough();
    const piping = pipeline(source, write);
    source.write(Buffer.from('one'));
    source.end(Buffer.from('two'));
    await expect(piping).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    expect(sink.calls).toContain('abort');
    await expect(write.commit()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
  });

  it('aborts when the commit itself fails', async () => {
    const calls: string[] = [];
    const sink: WriteSink = {
      write: async () => {},
      commit: async () => {
        throw new AppError('STORAGE_UNAVAILABLE', { ...where, reason: 'timeout' });
      },
      abort: async () => {
        calls.push('abort');
      },
    };
    const write = new SinkWrite(sink, where);
    await expect(write.commit()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(calls).toEqual(['abort']);
  });
});
