import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAll } from './contract/test-data.js';
import { LocalDriver } from './local/local.driver.js';
import { openRandomAccess } from './random-access.js';

describe('openRandomAccess', () => {
  let root: string;
  let driver: LocalDriver;
  const data = randomBytes(10_000);
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cvb-ra-'));
    driver = new LocalDriver({ kind: 'local', root });
    const write = driver.openWrite('archive.zip');
    write.end(data);
    await write.commit();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('knows the size and reads and streams exact ranges', async () => {
    const ra = await openRandomAccess(driver, 'archive.zip');
    expect(ra.size).toBe(10_000);
    expect((await ra.read(9_000, 1_000)).equals(data.subarray(9_000))).toBe(true);
    expect((await ra.read(0, 0)).length).toBe(0);
    expect((await readAll(ra.stream(123, 4567))).equals(data.subarray(123, 123 + 4567))).toBe(true);
    expect((await readAll(ra.stream(10_000, 0))).length).toBe(0);
  });

  it('cuts ranges that run past the end, and refuses ranges that start outside the object', async () => {
    const ra = await openRandomAccess(driver, 'archive.zip');
    expect((await ra.read(9_999, 2)).equals(data.subarray(9_999))).toBe(true);
    expect((await readAll(ra.stream(9_000, 5_000))).equals(data.subarray(9_000))).toBe(true);
    await expect(ra.read(10_001, 1)).rejects.toMatchObject({ code: 'STORAGE_RANGE_INVALID' });
    await expect(ra.read(-1, 2)).rejects.toMatchObject({ code: 'STORAGE_RANGE_INVALID' });
    expect(() => ra.stream(10_001, 1)).toThrow(expect.objectContaining({ code: 'STORAGE_RANGE_INVALID' }));
  });

  it('notices an object that shrank after it was opened', async () => {
    const ra = await openRandomAccess(driver, 'archive.zip');
    const write = driver.openWrite('archive.zip');
    write.end(data.subarray(0, 5_000));
    await write.commit();
    await expect(ra.read(4_000, 2_000)).rejects.toMatchObject({ code: 'STORAGE_RANGE_INVALID' });
  });

  it('says when there is no such object', async () => {
    await expect(openRandomAccess(driver, 'nope.zip')).rejects.toMatchObject({
      code: 'STORAGE_OBJECT_NOT_FOUND',
    });
  });
});
