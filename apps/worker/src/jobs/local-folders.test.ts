import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subfolders, sweepEmptyFolders } from './local-folders.js';

const HOUR = 3600_000;

describe('local folders', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cvb-folders-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const folders = async () =>
    (await readdir(root, { recursive: true, withFileTypes: true }))
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
      .sort();
  /** Makes the folders, then ages them deepest first (making a child touches its parent). */
  async function aged(ageMs: number, ...rels: string[]): Promise<void> {
    for (const rel of rels) await mkdir(path.join(root, rel), { recursive: true });
    const when = new Date(Date.now() - ageMs);
    for (const rel of [...rels].sort().reverse()) await utimes(path.join(root, rel), when, when);
  }

  it('removes old empty folders deepest first, and keeps the area, kept folders, new and filled ones', async () => {
    await mkdir(path.join(root, 's/2/run-5'), { recursive: true });
    await writeFile(path.join(root, 's/2/run-5/a.zip'), 'zip');
    await aged(
      2 * HOUR,
      's/1/run-1',
      's/1/run-2',
      's/1',
      's/2/run-6',
      's/3/run-9',
      's/3',
      's/2/run-5',
      's/2',
    );
    await mkdir(path.join(root, 's/4/run-10'), { recursive: true }); // an export just made it
    const removed = await sweepEmptyFolders({
      root,
      folder: 's',
      olderThanMs: HOUR,
      keep: (folder) => folder === 's/3/run-9',
    });
    expect(removed).toBe(4);
    expect(await folders()).toEqual([
      's',
      's/2',
      's/2/run-5',
      's/2/run-5/a.zip',
      's/3',
      's/3/run-9',
      's/4',
      's/4/run-10',
    ]);
  });

  it('removes an orphan folder itself at once when asked, whatever its age', async () => {
    await mkdir(path.join(root, 'imports/abc/raw/sub'), { recursive: true });
    expect(await sweepEmptyFolders({ root, folder: 'imports/abc', removeSelf: true, olderThanMs: 0 })).toBe(
      3,
    );
    expect(await folders()).toEqual(['imports']);
  });

  it('lists the subfolders of an area as media keys, and nothing for a missing area', async () => {
    await mkdir(path.join(root, 'tasks/7'), { recursive: true });
    await mkdir(path.join(root, 'tasks/10'), { recursive: true });
    await writeFile(path.join(root, 'tasks/stray.jpg'), 'x');
    const listed: string[] = [];
    for await (const key of subfolders(root, 'tasks/')) listed.push(key);
    expect(listed).toEqual(['tasks/10/', 'tasks/7/']);
    for await (const key of subfolders(root, 'imports/')) listed.push(key);
    expect(listed).toHaveLength(2);
  });
});
