import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@cvat-backup/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StorageDriver } from '../storage-driver.js';
import { digestOf, memoryProbe, randomStream, readAll, sha256 } from './test-data.js';

const MiB = 1024 * 1024;

/** How the contract gets drivers of one kind on its real server or emulator. */
export interface ContractFixture {
  /** A driver on a fresh, empty bucket/container/directory of its own; `cleanup` removes it. */
  create(): Promise<{ driver: StorageDriver; cleanup: () => Promise<void> }>;
  /** A driver on a bucket that does not exist (absent where the store cannot have one). */
  missingBucket?: () => StorageDriver;
  /** A driver holding wrong credentials, and the secret that must never show in an error. */
  badCredentials?: () => Promise<{ driver: StorageDriver; secret: string; cleanup: () => Promise<void> }>;
  /** Part/block size the fixture configured (the memory bound of large writes derives from it). */
  partSize: number;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
  throw new Error('expected a coded error, but the call succeeded');
}

async function put(driver: StorageDriver, key: string, data: Buffer, sizeHint?: number) {
  const write = driver.openWrite(key, { sizeHint, contentType: 'application/octet-stream' });
  write.end(data);
  return write.commit();
}

async function keys(driver: StorageDriver, prefix: string, pageSize?: number): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of driver.list(prefix, { pageSize })) pages.push(page.map((e) => e.key));
  return pages;
}

/** Deletes every object one by one (s3rver's batch delete fails on nested keys now and then). */
export async function emptyStorage(driver: StorageDriver): Promise<void> {
  for await (const page of driver.list('')) for (const entry of page) await driver.delete(entry.key);
}

/** The one contract every {@link StorageDriver} passes, on its real backend. */
export function describeDriverContract(name: string, fixture: ContractFixture): void {
  describe(`${name} driver contract`, () => {
    let driver: StorageDriver;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ driver, cleanup } = await fixture.create());
    });
    afterEach(async () => {
      await cleanup();
      await driver.close();
    });

    it('passes test() on a working storage', async () => {
      await expect(driver.test()).resolves.toBeUndefined();
    });

    it('round-trips an object, with head telling its size and etag', async () => {
      const data = randomBytes(3 * MiB + 17);
      const result = await put(driver, 'dir/sub/round.bin', data);
      expect(result.size).toBe(data.length);
      expect(sha256(await readAll(await driver.read('dir/sub/round.bin')))).toBe(sha256(data));
      const info = await driver.head('dir/sub/round.bin');
      expect(info?.size).toBe(data.length);
      expect(info?.etag).toBeTruthy();
    });

    it('round-trips an empty object', async () => {
      expect((await put(driver, 'empty', Buffer.alloc(0))).size).toBe(0);
      expect((await readAll(await driver.read('empty'))).length).toBe(0);
      expect((await driver.head('empty'))?.size).toBe(0);
    });

    it('round-trips a multi-part object written in odd chunks', async () => {
      const { stream, digest } = randomStream(2 * fixture.partSize + 12345, 100_003);
      const write = driver.openWrite('parts.bin');
      await pipeline(stream, write);
      expect((await write.commit()).size).toBe(2 * fixture.partSize + 12345);
      expect((await digestOf(await driver.read('parts.bin'))).sha256).toBe(digest());
    });

    it('reads byte ranges, clipping at the end and refusing starts past it', async () => {
      const data = randomBytes(1000);
      await put(driver, 'ranged', data);
      const range = async (offset: number, length?: number) =>
        readAll(await driver.read('ranged', { range: { offset, length } }));
      expect((await range(100, 50)).equals(data.subarray(100, 150))).toBe(true);
      expect((await range(990)).equals(data.subarray(990))).toBe(true);
      expect((await range(0, 1000)).equals(data)).toBe(true);
      expect((await range(900, 500)).equals(data.subarray(900))).toBe(true);
      expect((await range(1000)).length).toBe(0);
      expect((await range(10, 0)).length).toBe(0);
      expect(await codeOf(range(1001))).toBe('STORAGE_RANGE_INVALID');
      expect(await codeOf(range(-1, 5))).toBe('STORAGE_RANGE_INVALID');
    });

    it('lists by prefix in pages, in key order', async () => {
      const names = ['p/a1', 'p/a2', 'p/b/c', 'p/b/d', 'p/e', 'p/f', 'p/g'];
      for (const key of [...names, 'q/x', 'pp']) await put(driver, key, Buffer.from(key));
      const pages = await keys(driver, 'p/', 3);
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(3);
      expect(pages.flat()).toEqual(names);
      expect((await keys(driver, 'p/a')).flat()).toEqual(['p/a1', 'p/a2']);
      expect((await keys(driver, 'nothing/')).flat()).toEqual([]);
      const all = (await keys(driver, '')).flat();
      expect(all).toEqual([...names, 'pp', 'q/x'].sort());
      const [entry] = (await driver.list('p/e')[Symbol.asyncIterator]().next()).value ?? [];
      expect(entry?.size).toBe(3);
    });

    it('shows nothing before commit and everything after it', async () => {
      const data = randomBytes(2 * fixture.partSize + 5);
      const write = driver.openWrite('atomic.bin', { sizeHint: data.length });
      await new Promise<void>((resolve) =>
        write.write(data.subarray(0, fixture.partSize + 3), () => resolve()),
      );
      expect(await driver.head('atomic.bin')).toBeUndefined();
      expect((await keys(driver, '')).flat()).toEqual([]);
      expect(await codeOf(driver.read('atomic.bin'))).toBe('STORAGE_OBJECT_NOT_FOUND');
      write.end(data.subarray(fixture.partSize + 3));
      expect(await driver.head('atomic.bin')).toBeUndefined();
      await write.commit();
      expect(sha256(await readAll(await driver.read('atomic.bin')))).toBe(sha256(data));
    });

    it('sweepIncomplete spares committed objects and writes younger than the bound', async () => {
      const kept = randomBytes(100);
      await put(driver, 'kept.bin', kept);
      const data = randomBytes(2 * fixture.partSize + 5);
      const live = driver.openWrite('live.bin', { sizeHint: data.length });
      await new Promise<void>((resolve) =>
        live.write(data.subarray(0, fixture.partSize + 3), () => resolve()),
      );
      expect(await driver.sweepIncomplete({ olderThanMs: 3_600_000 })).toBe(0);
      live.end(data.subarray(fixture.partSize + 3));
      await live.commit();
      expect(sha256(await readAll(await driver.read('live.bin')))).toBe(sha256(data));
      expect(sha256(await readAll(await driver.read('kept.bin')))).toBe(sha256(kept));
    });

    it('leaves nothing after abort, and refuses to commit an aborted write', async () => {
      const write = driver.openWrite('aborted.bin');
      write.write(randomBytes(fixture.partSize + 1));
      await write.abort(new Error('changed my mind'));
      expect(await driver.head('aborted.bin')).toBeUndefined();
      expect(await codeOf(write.commit())).toBe('STORAGE_WRITE_CLOSED');
      expect((await keys(driver, '')).flat()).toEqual([]);
    });

    it('leaves nothing when the source stream fails mid-way', async () => {
      const source = new PassThrough();
      const write = driver.openWrite('broken.bin');
      const piping = pipeline(source, write);
      source.write(randomBytes(fixture.partSize + 1));
      source.destroy(new Error('source failed'));
      await expect(piping).rejects.toThrow('source failed');
      await expect(write.commit()).rejects.toThrow();
      await write.abort();
      expect(await driver.head('broken.bin')).toBeUndefined();
      expect((await keys(driver, '')).flat()).toEqual([]);
    });

    it('replaces an object atomically on a second write', async () => {
      const first = randomBytes(fixture.partSize + 10);
      const second = randomBytes(fixture.partSize * 2 + 20);
      await put(driver, 'over', first);
      const write = driver.openWrite('over');
      await new Promise<void>((resolve) =>
        write.write(second.subarray(0, fixture.partSize + 1), () => resolve()),
      );
      expect(sha256(await readAll(await driver.read('over')))).toBe(sha256(first));
      write.end(second.subarray(fixture.partSize + 1));
      await write.commit();
      expect(sha256(await readAll(await driver.read('over')))).toBe(sha256(second));
      expect((await keys(driver, '')).flat()).toEqual(['over']);
    });

    it('deletes, and deleting a missing object succeeds', async () => {
      await put(driver, 'gone', Buffer.from('x'));
      await driver.delete('gone');
      expect(await driver.head('gone')).toBeUndefined();
      await expect(driver.delete('gone')).resolves.toBeUndefined();
      expect(await codeOf(driver.read('gone'))).toBe('STORAGE_OBJECT_NOT_FOUND');
    });

    it('refuses invalid keys on every operation', async () => {
      for (const bad of ['../x', 'a/../../x', '/abs', 'a\0b', '', 'a//b', 'a/./b', 'a\\b', 'dir/']) {
        expect(await codeOf(driver.read(bad)), bad).toBe('STORAGE_KEY_INVALID');
        expect(await codeOf(driver.head(bad)), bad).toBe('STORAGE_KEY_INVALID');
        expect(await codeOf(driver.delete(bad)), bad).toBe('STORAGE_KEY_INVALID');
        expect(() => driver.openWrite(bad), bad).toThrow(
          expect.objectContaining({ code: 'STORAGE_KEY_INVALID' }),
        );
      }
      expect(await codeOf(keys(driver, '../'))).toBe('STORAGE_KEY_INVALID');
    });

    if (fixture.missingBucket) {
      const missing = fixture.missingBucket;
      it('names a missing bucket with a permanent coded error', async () => {
        const absent = missing();
        try {
          for (const call of [
            () => absent.test(),
            () => absent.head('k'),
            () => absent.read('k'),
            () => keys(absent, ''),
          ]) {
            const err = await call().then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(err).toMatchObject({ code: 'STORAGE_BUCKET_NOT_FOUND', retryable: false });
            expect((err as AppError).details.storage).toBe(absent.description);
          }
          const write = absent.openWrite('k');
          write.end(Buffer.from('data'));
          expect(await codeOf(write.commit())).toBe('STORAGE_BUCKET_NOT_FOUND');
        } finally {
          await absent.close();
        }
      });
    }

    if (fixture.badCredentials) {
      const bad = fixture.badCredentials;
      it('refuses bad credentials at once, without showing the secret', async () => {
        const { driver: denied, secret, cleanup: done } = await bad();
        try {
          const started = Date.now();
          for (const call of [() => denied.test(), () => denied.head('k'), () => denied.read('k')]) {
            const err = await call().then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(err).toMatchObject({ code: 'STORAGE_ACCESS_DENIED', retryable: false });
            expect(JSON.stringify((err as AppError).toJSON())).not.toContain(secret);
            expect((err as AppError).message).not.toContain(secret);
          }
          const write = denied.openWrite('k');
          write.end(Buffer.from('data'));
          expect(await codeOf(write.commit())).toBe('STORAGE_ACCESS_DENIED');
          // Permanent errors are not retried: no backoff delays add up.
          expect(Date.now() - started).toBeLessThan(5000);
        } finally {
          await denied.close();
          await done();
        }
      });
    }

    it('streams a 200 MiB object both ways with bounded memory', async () => {
      const total = 200 * MiB;
      const probe = memoryProbe();
      const { stream, digest } = randomStream(total);
      stream.on('data', probe.sample);
      const write = driver.openWrite('large.bin', { sizeHint: total });
      await pipeline(stream, write);
      expect((await write.commit()).size).toBe(total);
      const back = await digestOf(await driver.read('large.bin'), probe.sample);
      expect(back).toEqual({ sha256: digest(), size: total });
      const growth = probe.peakGrowth();
      // Parts in flight are (queueSize + 1) × partSize; allow that plus generous slack for GC lag.
      expect(growth.buffers).toBeLessThan(96 * MiB);
      expect(growth.rss).toBeLessThan(160 * MiB);
    }, 120_000);
  });
}
