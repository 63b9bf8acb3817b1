import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAll } from '../contract/test-data.js';
import { LocalDriver } from './local.driver.js';

describe('local driver', () => {
  let root: string;
  let driver: LocalDriver;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cvb-local-'));
    driver = new LocalDriver({ kind: 'local', root });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('writes through a temp file beside the target and renames it at commit', async () => {
    const write = driver.openWrite('a/b/file.zip');
    await new Promise<void>((r) => write.write(Buffer.from('partial'), () => r()));
    const during = await readdir(path.join(root, 'a', 'b'));
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^\.file\.zip\.cvb-tmp-[0-9a-f]+$/);
    await write.commit();
    expect(await readdir(path.join(root, 'a', 'b'))).toEqual(['file.zip']);
  });

  it('removes the temp file on abort', async () => {
    const write = driver.openWrite('x.bin');
    await new Promise<void>((r) => write.write(Buffer.from('partial'), () => r()));
    await write.abort();
    expect(await readdir(root)).toEqual([]);
  });

  it('removes the temp file of an abort that lands while the first write is still opening it', async () => {
    const write = driver.openWrite('deep/er/x.bin');
    // Not awaited: the sink is still making the folder and opening the temp file when abort runs.
    write.write(Buffer.from('partial'), () => {});
    write.on('error', () => {});
    await write.abort();
    // Give an open that abort did not wait for the time to land (it did, before the fix).
    await new Promise((r) => setTimeout(r, 100));
    expect(await readdir(path.join(root, 'deep', 'er')).catch(() => [])).toEqual([]);
  });

  it('sweeps temp files older than the bound, and only those', async () => {
    await writeFile(path.join(root, 'kept.zip'), 'x');
    await writeFile(path.join(root, '.old.zip.cvb-tmp-aaaa'), 'x');
    await writeFile(path.join(root, '.new.zip.cvb-tmp-bbbb'), 'x');
    const old = new Date(Date.now() - 3_600_000);
    await utimes(path.join(root, '.old.zip.cvb-tmp-aaaa'), old, old);
    expect(await driver.sweepIncomplete({ olderThanMs: 60_000 })).toBe(1);
    expect((await readdir(root)).sort()).toEqual(['.new.zip.cvb-tmp-bbbb', 'kept.zip']);
  });

  it('sweeps only under its prefix folder', async () => {
    const scoped = new LocalDriver({ kind: 'local', root, prefix: 'tenant-a' });
    await mkdir(path.join(root, 'tenant-a'));
    const old = new Date(Date.now() - 3_600_000);
    for (const file of ['.a.zip.cvb-tmp-aaaa', 'tenant-a/.b.zip.cvb-tmp-bbbb']) {
      await writeFile(path.join(root, file), 'x');
      await utimes(path.join(root, file), old, old);
    }
    expect(await scoped.sweepIncomplete({ olderThanMs: 60_000 })).toBe(1);
    expect(await readdir(path.join(root, 'tenant-a'))).toEqual([]);
    expect(await driver.sweepIncomplete({ olderThanMs: 60_000 })).toBe(1);
  });

  it('keeps temp files out of listings', async () => {
    await writeFile(path.join(root, '.x.cvb-tmp-cccc'), 'x');
    await writeFile(path.join(root, 'y'), 'y');
    const keys: string[] = [];
    for await (const page of driver.list('')) keys.push(...page.map((e) => e.key));
    expect(keys).toEqual(['y']);
  });

  it('does not create a missing root on write', async () => {
    const gone = new LocalDriver({ kind: 'local', root: path.join(root, 'missing') });
    const write = gone.openWrite('k');
    write.end(Buffer.from('x'));
    await expect(write.commit()).rejects.toMatchObject({ code: 'STORAGE_BUCKET_NOT_FOUND' });
    await expect(stat(path.join(root, 'missing'))).rejects.toThrow();
  });

  it('scopes keys under a prefix folder', async () => {
    const scoped = new LocalDriver({ kind: 'local', root, prefix: 'tenant-a' });
    const write = scoped.openWrite('k.txt');
    write.end(Buffer.from('scoped'));
    await write.commit();
    expect((await readAll(await driver.read('tenant-a/k.txt'))).toString()).toBe('scoped');
    const keys: string[] = [];
    for await (const page of scoped.list('')) keys.push(...page.map((e) => e.key));
    expect(keys).toEqual(['k.txt']);
  });

  it('reports a key that collides with a folder as a permanent failure', async () => {
    await writeFile(path.join(root, 'file'), 'x');
    const write = driver.openWrite('file/inside');
    write.end(Buffer.from('x'));
    await expect(write.commit()).rejects.toMatchObject({ code: 'STORAGE_FAILED', retryable: false });
  });

  it("opens an object as a file for positional reads, with read()'s errors", async () => {
    const scoped = new LocalDriver({ kind: 'local', root, prefix: 'tenant-a' });
    await mkdir(path.join(root, 'tenant-a', 'dir'), { recursive: true });
    await writeFile(path.join(root, 'tenant-a', 'k.bin'), 'positional bytes');
    const file = await scoped.openFile('k.bin');
    try {
      const buffer = Buffer.alloc(5);
      const { bytesRead } = await file.read(buffer, 0, 5, 11);
      expect(buffer.subarray(0, bytesRead).toString()).toBe('bytes');
    } finally {
      await file.close();
    }
    await expect(scoped.openFile('missing.bin')).rejects.toMatchObject({ code: 'STORAGE_OBJECT_NOT_FOUND' });
    await expect(scoped.openFile('dir')).rejects.toMatchObject({ code: 'STORAGE_OBJECT_NOT_FOUND' });
    await expect(scoped.openFile('../k.bin')).rejects.toMatchObject({ code: 'STORAGE_KEY_INVALID' });
    await expect(
      new LocalDriver({ kind: 'local', root: path.join(root, 'gone') }).openFile('k.bin'),
    ).rejects.toMatchObject({ code: 'STORAGE_BUCKET_NOT_FOUND' });
  });
});
