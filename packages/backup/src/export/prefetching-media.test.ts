import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { LocalDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinKey, type MediaFile, prefetchingMedia } from './prefetching-media.js';

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
      for await (const media of prefetchingMedia(files(5), driver, depth))
        seen.push(`${media.path}=${await text(await media.open())}`);
      expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `images/${i}.jpg=image ${i}`));
    }
  });

  it('asks storage for at most depth objects ahead of the one being written', async () => {
    const requested: string[] = [];
    const counting = new Proxy(driver, {
      get(target, prop, receiver) {
        if (prop === 'read')
          return (key: string) => {
            requested.push(key);
            return target.read(key);
          };
        return Reflect.get(target, prop, receiver);
      },
    });
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
        for await (const media of prefetchingMedia(list, driver, 4)) {
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
