import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteUnder } from './delete-under.js';
import { LocalDriver } from './local/local.driver.js';

describe('deleteUnder', () => {
  let root: string;
  let driver: LocalDriver;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cvb-delete-under-'));
    driver = new LocalDriver({ kind: 'local', root });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const put = async (key: string) => {
    const write = driver.openWrite(key);
    write.end('x');
    await write.commit();
  };
  const keys = async () => {
    const all: string[] = [];
    for await (const page of driver.list('')) all.push(...page.map((e) => e.key));
    return all.sort();
  };

  it('deletes every object under the prefix, nested ones too, and nothing beside it', async () => {
    for (const key of ['a/1.bin', 'a/b/2.bin', 'a/b/c/3.bin', 'ab/4.bin', 'z.bin']) await put(key);
    expect(await deleteUnder(driver, 'a/')).toBe(3);
    expect(await keys()).toEqual(['ab/4.bin', 'z.bin']);
    expect(await deleteUnder(driver, 'a/')).toBe(0);
  });
});
