import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { MediaInput } from './archive-input.js';
import { openAhead } from './open-ahead.js';

function files(count: number, log: string[]): MediaInput[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `f${i}`,
    open: async () => {
      log.push(`open f${i}`);
      const stream = Readable.from([Buffer.from(`content ${i}`)]);
      stream.on('close', () => log.push(`closed f${i}`));
      return stream;
    },
  }));
}

describe('openAhead', () => {
  it('opens exactly one file ahead of the one being consumed', async () => {
    const log: string[] = [];
    for await (const { file, stream } of openAhead(files(3, log), () => true)) {
      log.push(`use ${file.path}`);
      for await (const _ of stream as Readable) {
        // consume
      }
    }
    expect(log.filter((l) => !l.startsWith('closed'))).toEqual([
      'open f0',
      'open f1',
      'use f0',
      'open f2',
      'use f1',
      'use f2',
    ]);
  });

  it('skips refused files without opening them and surfaces a throwing accept in order', async () => {
    const log: string[] = [];
    const seen: string[] = [];
    const run = async () => {
      for await (const { file } of openAhead(files(4, log), (f) => {
        if (f.path === 'f3') throw new Error('refused f3');
        return f.path !== 'f1';
      })) {
        seen.push(file.path);
      }
    };
    await expect(run()).rejects.toThrow('refused f3');
    expect(seen).toEqual(['f0', 'f2']);
    expect(log).not.toContain('open f1');
  });

  it('closes the file opened ahead when the consumer stops early', async () => {
    const log: string[] = [];
    for await (const { file } of openAhead(files(3, log), () => true)) {
      if (file.path === 'f0') break;
    }
    await new Promise((r) => setImmediate(r));
    expect(log).toContain('closed f1');
    expect(log).not.toContain('open f2');
  });

  it('prefers openFile(), and closes the file opened ahead when the consumer stops early', async () => {
    const closed: string[] = [];
    const inputs = ['a', 'b'].map((path) => ({
      path,
      open: () => Promise.reject(new Error('open() is not called when openFile() is there')),
      openFile: async () => ({
        read: async () => ({ bytesRead: 0 }),
        close: async () => {
          closed.push(path);
        },
      }),
    }));
    for await (const { file } of openAhead(inputs, () => true)) {
      if (file.path === 'a') break;
    }
    expect(closed).toEqual(['b']);
  });
});
