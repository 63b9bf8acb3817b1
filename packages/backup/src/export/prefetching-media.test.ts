import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ReadableFile } from '@cvat-backup/format';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinKey, type MediaFile, prefetchingMedia } from './prefetching-media.js';

/** The driver as an object store looks to the exporter: streams only, no open files. */
function streamOnly(driver: StorageDriver, onRead: (key: string) => void = () => {}): StorageDriver {
  return new Proxy(driver, {
    get(target, prop, receiver) {
      if (prop === 'openFile') return undefined;
      if (prop === 'read')
        return (key: string) => {
          onRead(key);
          return target.read(key);
        };
      return Reflect.get(target, prop, receiver);
    },
  });
}

async function fileText(file: ReadableFile): Promise<string> {
  const buffer = Buffer.alloc(64);
  try {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString();
  } finally {
    await file.close();
  }
}

async function text(stream: Readable | AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

describe('prefetchingMedia', () => {
  let root: string;
  let driver: LocalDriver;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cvb-prefetch-'));
    await mkdir(path.join(root, 'raw', 'images'), { recursive: true });
    for (let i = 0; i < 5; i++) await writeFile(path.join(root, 'raw', 'images', `${i}.jpg`), `image ${i}`);
    driver = new LocalDriver({ kind: 'local', root });
  });
  afterAll(async () => {
    await driver.close();
    await rm(root, { recursive: true, force: true });
  });

  const files = (n: number): MediaFile[] =>
    Array.from({ length: n }, (_, i) => ({
      path: `images/${i}.jpg`,
      key: joinKey('raw/', `images/${i}.jpg`),
    }));

  it('yields every file in order with its content, whatever the depth', async () => {
    for (const depth of [0, 1, 3, 10]) {
      const seen: string[] = [];
      for await (const media of prefetchingMedia(files(5), streamOnly(driver), depth)) {
        expect(media.openFile).toBeUndefined();
        seen.push(`${media.path}=${await text(await media.open())}`);
      }
      expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `images/${i}.jpg=image ${i}`));
    }
  });

  it('hands files of a local driver over as open files, requesting nothing ahead', async () => {
    const seen: string[] = [];
    for await (const media of prefetchingMedia(files(3), driver, 4)) {
      expect(media.openFile).toBeDefined();
      seen.push(`${media.path}=${await fileText(await media.openFile!())}`);
    }
    expect(seen).toEqual([0, 1, 2].map((i) => `images/${i}.jpg=image ${i}`));
    const missing = prefetchingMedia([{ path: 'images/x.jpg', key: 'raw/images/x.jpg' }], driver, 4);
    for await (const media of missing)
      await expect(media.openFile!()).rejects.toMatchObject({ code: 'STORAGE_OBJECT_NOT_FOUND' });
  });

  it('asks storage for at most depth objects ahead of the one being written', async () => {
    const requested: string[] = [];
    const counting = streamOnly(driver, (key) => requested.push(key));
    const iterator = prefetchingMedia(files(5), counting, 2)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.path).toBe('images/0.jpg');
    expect(requested).toHaveLength(3);
    await text(await first.value!.open());
    await iterator.return?.();
    expect(requested).toHaveLength(3);
  });

  it('reports a missing object when its entry is opened, not before', async () => {
    const list = [...files(2), { path: 'images/missing.jpg', key: 'raw/images/missing.jpg' }];
    const opened: string[] = [];
    await expect(
      (async () => {
        for await (const media of prefetchingMedia(list, streamOnly(driver), 4)) {
          await text(await media.open());
          opened.push(media.path);
        }
      })(),
    ).rejects.toMatchObject({ code: 'STORAGE_OBJECT_NOT_FOUND' });
    expect(opened).toEqual(['images/0.jpg', 'images/1.jpg']);
  });

  it('joins prefixes with and without a trailing slash', () => {
    expect(joinKey('tasks/1/raw/', 'a/b.jpg')).toBe('tasks/1/raw/a/b.jpg');
    expect(joinKey('tasks/1/raw', 'a/b.jpg')).toBe('tasks/1/raw/a/b.jpg');
    expect(joinKey('', 'a/b.jpg')).toBe('a/b.jpg');
  });
});
