import { createHash } from 'node:crypto';
import { closeSync, createWriteStream, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { isAppError } from '@cvat-backup/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pythonZipEntries, unzipTest } from '../testing/external-tools.js';
import { collect, tempDir } from '../testing/temp-dir.js';
import { FileSource } from './file-source.js';
import { ZipReader } from './zip-reader.js';
import { ZipWriter } from './zip-writer.js';

let dir: { path: string; remove(): Promise<void> };
beforeEach(async () => {
  dir = await tempDir('zipw');
});
afterEach(async () => {
  await dir.remove();
});

function chunks(total: number, chunk = 7_000): AsyncIterable<Buffer> {
  return (async function* () {
    for (let at = 0; at < total; at += chunk) {
      const n = Math.min(chunk, total - at);
      yield Buffer.alloc(n, at % 251);
    }
  })();
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(err) ? err.code : err).toBe(code);
}

describe('ZipWriter', () => {
  it('writes stored entries that unzip, Python zipfile and the reader all accept', async () => {
    const path = join(dir.path, 'a.zip');
    const writer = new ZipWriter(createWriteStream(path));
    const mtime = new Date(2024, 4, 6, 7, 8, 10);
    await writer.addBuffer('task.json', Buffer.from('{"name":"x"}'), { mtime });
    await writer.addStream('data/images/ünïcødé 1.jpg', chunks(100_000), { size: 100_000, mtime });
    await writer.addStream('data/unknown-length.bin', chunks(70_001));
    await writer.addStream('data/empty.txt', chunks(0), { size: 0 });
    const { entries } = await writer.finish();
    expect(entries).toBe(4);

    await expect(unzipTest(path)).resolves.toContain('No errors detected');
    const py = await pythonZipEntries(path);
    expect(py.map((e) => [e.name, e.size])).toEqual([
      ['task.json', 12],
      ['data/images/ünïcødé 1.jpg', 100_000],
      ['data/unknown-length.bin', 70_001],
      ['data/empty.txt', 0],
    ]);

    const reader = await ZipReader.open(await FileSource.open(path));
    try {
      const entry = reader.get('data/images/ünïcødé 1.jpg')!;
      expect(entry.mtime.getTime()).toBe(mtime.getTime());
      expect(await collect(await reader.openEntry(entry))).toEqual(await collect(chunks(100_000)));
      expect((await reader.readEntry(reader.get('task.json')!, 100)).toString()).toBe('{"name":"x"}');
    } finally {
      await reader.close();
    }
  });

  it('switches to ZIP64 end records above 65,535 entries, still read by unzip and Python', async () => {
    const path = join(dir.path, 'many.zip');
    const writer = new ZipWriter(createWriteStream(path));
    const one = Buffer.from('x');
    for (let i = 0; i < 65_537; i++) await writer.addBuffer(`data/${i}.txt`, one);
    await writer.finish();
    await expect(unzipTest(path)).resolves.toContain('No errors detected');
    const py = await pythonZipEntries(path, false);
    expect(py).toHaveLength(65_537);
    const reader = await ZipReader.open(await FileSource.open(path));
    expect(reader.entries).toHaveLength(65_537);
    expect(reader.entries.at(-1)?.name).toBe('data/65536.txt');
    await reader.close();
  });

  it('writes an entry above 4 GiB with ZIP64 sizes and offsets (sparse file)', async () => {
    const path = join(dir.path, 'big.zip');
    const zero = Buffer.alloc(1 << 24);
    const size = 2 ** 32 + 1000;
    let expectedCrc = 0;
    for (let at = 0; at < size; at += zero.length)
      expectedCrc = crc32(zero.subarray(0, Math.min(zero.length, size - at)), expectedCrc);
    const fd = openSync(path, 'w');
    let position = 0;
    // Zero chunks become holes: the 4 GiB entry costs CRC time but no disk space.
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (chunk !== zero) writeSync(fd, chunk, 0, chunk.length, position);
        position += chunk.length;
        done();
      },
      final(done) {
        ftruncateSync(fd, position);
        closeSync(fd);
        done();
      },
    });
    const writer = new ZipWriter(sink);
    await writer.addBuffer('task.json', Buffer.from('{}'));
    await writer.addStream(
      'data/huge.bin',
      (async function* () {
        for (let at = 0; at < size; at += zero.length)
          yield at + zero.length <= size ? zero : zero.subarray(0, size - at);
      })(),
    );
    await writer.addBuffer('after.json', Buffer.from('[]'));
    await writer.finish();

    // Testing the entries around the huge one makes unzip walk the ZIP64 records without reading 4 GiB.
    await expect(unzipTest(path, ['task.json', 'after.json'])).resolves.toContain('No errors detected');
    const py = await pythonZipEntries(path, false);
    expect(py.map((e) => e.size)).toEqual([2, size, 2]);
    expect(py[1]?.crc).toBe(expectedCrc);
    const reader = await ZipReader.open(await FileSource.open(path));
    expect(reader.get('data/huge.bin')?.size).toBe(size);
    expect(reader.get('after.json')?.localHeaderOffset).toBeGreaterThan(2 ** 32);
    expect((await reader.readEntry(reader.get('after.json')!, 10)).toString()).toBe('[]');
    await reader.close();
  }, 120_000);

  it('keeps at most a few chunks in flight when the output is slow (backpressure)', async () => {
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    const sink = new Writable({
      highWaterMark: 1 << 16,
      write(chunk: Buffer, _enc, done) {
        consumed += chunk.length;
        setImmediate(done);
      },
    });
    const source = (async function* () {
      for (let i = 0; i < 400; i++) {
        produced += 1 << 16;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield Buffer.alloc(1 << 16);
      }
    })();
    const writer = new ZipWriter(sink);
    await writer.addStream('data/x.bin', source);
    await writer.finish();
    expect(consumed).toBeGreaterThanOrEqual(400 << 16);
    expect(maxAhead).toBeLessThanOrEqual(4 << 16);
  });

  it('refuses a stream whose length differs from the announced size', async () => {
    const writer = new ZipWriter(new Writable({ write: (_c, _e, done) => done() }));
    await expectCode(writer.addStream('data/a.bin', chunks(10), { size: 11 }), 'FORMAT_ENTRY_SIZE_MISMATCH');
    const second = new ZipWriter(new Writable({ write: (_c, _e, done) => done() }));
    await expectCode(second.addStream('data/b.bin', chunks(12), { size: 11 }), 'FORMAT_ENTRY_SIZE_MISMATCH');
  });

  it.each([
    ['../escape.txt'],
    ['/abs.txt'],
    ['data\\win.txt'],
    ['C:/x.txt'],
    ['data/'],
    ['data//x'],
    ['a\u0000b'],
  ])('refuses the entry name %j', async (name) => {
    const writer = new ZipWriter(new Writable({ write: (_c, _e, done) => done() }));
    await expectCode(writer.addBuffer(name, Buffer.from('x')), 'FORMAT_ENTRY_NAME_INVALID');
  });

  it('refuses a duplicate entry name', async () => {
    const writer = new ZipWriter(new Writable({ write: (_c, _e, done) => done() }));
    await writer.addBuffer('task.json', Buffer.from('{}'));
    await expectCode(writer.addBuffer('task.json', Buffer.from('{}')), 'FORMAT_ENTRY_NAME_INVALID');
  });

  it('fails the entry when the output fails', async () => {
    const sink = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, done) {
        done(new Error('disk full'));
      },
    });
    const writer = new ZipWriter(sink);
    await expect(
      writer.addStream('data/x.bin', Readable.from([Buffer.alloc(1000), Buffer.alloc(1000)])),
    ).rejects.toThrow('disk full');
  });

  it('computes CRC-32 with the native implementation and SHA-256 on request', async () => {
    const writer = new ZipWriter(new Writable({ write: (_c, _e, done) => done() }), { sha256: true });
    const entry = await writer.addStream(
      'data/a.bin',
      Readable.from([Buffer.from('hello ')], { objectMode: false }),
    );
    expect(entry.crc32).toBe(crc32('hello '));
    expect(entry.sha256).toBe(createHash('sha256').update('hello ').digest('hex'));
  });
});
