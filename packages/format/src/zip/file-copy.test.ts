import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { isAppError } from '@cvat-backup/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pythonZipEntries, unzipTest } from '../testing/external-tools.js';
import { tempDir } from '../testing/temp-dir.js';
import { FILE_CHUNK, type ReadableFile } from './file-chunks.js';
import { ZipWriter } from './zip-writer.js';

let dir: { path: string; remove(): Promise<void> };
beforeEach(async () => {
  dir = await tempDir('filecopy');
});
afterEach(async () => {
  await dir.remove();
});

const mtime = new Date(2024, 4, 6, 7, 8, 10);
/** Sizes around the chunk boundary, the empty file, and a long name that cannot ride in front of a chunk. */
const FILES: Array<[string, number]> = [
  ['data/a.bin', 2 * FILE_CHUNK + 12_345],
  ['data/exact.bin', FILE_CHUNK],
  ['data/one-more.bin', FILE_CHUNK + 1],
  ['data/empty.bin', 0],
  [`data/${'n'.repeat(4060)}.bin`, 70_000],
];

async function sampleFiles(): Promise<Array<{ name: string; path: string; bytes: Buffer }>> {
  return Promise.all(
    FILES.map(async ([name, size], i) => {
      const path = join(dir.path, `src-${i}`);
      const bytes = randomBytes(size);
      await writeFile(path, bytes);
      return { name, path, bytes };
    }),
  );
}

/** A file handle that counts its closes. */
async function counted(path: string): Promise<ReadableFile & { closes: number }> {
  const handle = await open(path, 'r');
  const file = {
    closes: 0,
    read: (b: Uint8Array, o: number, l: number, p: number) => handle.read(b, o, l, p),
    close: async () => {
      file.closes++;
      await handle.close();
    },
  };
  return file;
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => (isAppError(e) ? e.code : e),
  );
}

describe('ZipWriter.addFile', () => {
  it('writes the very bytes addStream writes (file output, recycled buffers), accepted by unzip and Python', async () => {
    const files = await sampleFiles();
    const write = async (target: string, fromFile: boolean, declare: boolean) => {
      const writer = new ZipWriter(createWriteStream(target), { defaultMtime: mtime });
      for (const f of files) {
        const options = declare ? { size: f.bytes.length, mtime } : { mtime };
        if (fromFile) await writer.addFile(f.name, await open(f.path, 'r'), options);
        else await writer.addStream(f.name, Readable.from([f.bytes]), options);
      }
      await writer.finish();
      return readFile(target);
    };
    for (const declare of [true, false]) {
      const viaFile = await write(join(dir.path, `file-${declare}.zip`), true, declare);
      const viaStream = await write(join(dir.path, `stream-${declare}.zip`), false, declare);
      expect(viaFile.equals(viaStream)).toBe(true);
    }
    const path = join(dir.path, 'file-true.zip');
    await expect(unzipTest(path)).resolves.toContain('No errors detected');
    const py = await pythonZipEntries(path);
    expect(py.map((e) => [e.name, e.size])).toEqual(files.map((f) => [f.name, f.bytes.length]));
  });

  it('never reuses a buffer a general Writable may still hold', async () => {
    const files = await sampleFiles();
    // Keeps every chunk object and acknowledges at once, as a PassThrough feeding an upload may.
    const kept: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 1 << 24,
      write(chunk: Buffer, _enc, done) {
        kept.push(chunk);
        done();
      },
    });
    const writer = new ZipWriter(sink, { defaultMtime: mtime });
    for (const f of files)
      await writer.addFile(f.name, await open(f.path, 'r'), { size: f.bytes.length, mtime });
    await writer.finish();
    const archive = join(dir.path, 'kept.zip');
    await writeFile(archive, Buffer.concat(kept));
    await expect(unzipTest(archive)).resolves.toContain('No errors detected');
  });

  it('keeps at most three chunks in flight when the output acknowledges slowly', async () => {
    const path = join(dir.path, 'big.bin');
    await writeFile(path, randomBytes(12 * FILE_CHUNK));
    const file = await open(path, 'r');
    let read = 0;
    let consumed = 0;
    let maxAhead = 0;
    const sink = new Writable({
      highWaterMark: 1 << 30, // never asks for 'drain': only the writer's own bound holds
      write(chunk: Buffer, _enc, done) {
        setTimeout(() => {
          consumed += chunk.length;
          done();
        }, 2);
      },
    });
    const counting: ReadableFile = {
      read: async (b, o, l, p) => {
        const result = await file.read(b, o, l, p);
        read += result.bytesRead;
        maxAhead = Math.max(maxAhead, read - consumed);
        return result;
      },
      close: () => file.close(),
    };
    const writer = new ZipWriter(sink);
    await writer.addFile('data/big.bin', counting, { size: 12 * FILE_CHUNK });
    await writer.finish();
    expect(consumed).toBeGreaterThan(12 * FILE_CHUNK);
    expect(maxAhead).toBeLessThanOrEqual(3 * FILE_CHUNK);
  });

  it.each([
    ['longer', 1000, 999],
    ['shorter', 1000, 1001],
    ['longer by one chunk boundary', FILE_CHUNK + 1, FILE_CHUNK],
  ])('refuses a file %s than its declared size, and closes it', async (_label, actual, declared) => {
    const path = join(dir.path, 'f.bin');
    await writeFile(path, randomBytes(actual));
    const file = await counted(path);
    const writer = new ZipWriter(new Writable({ write: (_c, _e, done) => done() }));
    expect(await codeOf(writer.addFile('data/f.bin', file, { size: declared }))).toBe(
      'FORMAT_ENTRY_SIZE_MISMATCH',
    );
    expect(file.closes).toBe(1);
  });

  it('closes the file once when it is copied, and when a read fails', async () => {
    const path = join(dir.path, 'f.bin');
    await writeFile(path, randomBytes(3 * FILE_CHUNK));
    const ok = await counted(path);
    const writer = new ZipWriter(new Writable({ write: (_c, _e, done) => done() }));
    await writer.addFile('data/ok.bin', ok, { size: 3 * FILE_CHUNK });
    expect(ok.closes).toBe(1);

    const failing = await counted(path);
    let reads = 0;
    const broken: ReadableFile = {
      read: (b, o, l, p) => (++reads === 2 ? Promise.reject(new Error('EIO')) : failing.read(b, o, l, p)),
      close: () => failing.close(),
    };
    await expect(writer.addFile('data/broken.bin', broken)).rejects.toThrow('EIO');
    expect(failing.closes).toBe(1);
  });

  it('fails the entry and closes the file when the output fails', async () => {
    const path = join(dir.path, 'f.bin');
    await writeFile(path, randomBytes(3 * FILE_CHUNK));
    const file = await counted(path);
    const sink = new Writable({
      write(_chunk, _enc, done) {
        done(new Error('disk full'));
      },
    });
    const writer = new ZipWriter(sink);
    await expect(writer.addFile('data/x.bin', file, { size: 3 * FILE_CHUNK })).rejects.toThrow('disk full');
    expect(file.closes).toBe(1);
  });
});
