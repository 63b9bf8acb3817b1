import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, openFixture } from '../../test/export-fixture.js';
import { importMediaPrefix } from '../import/archive-media.js';
import { type LiveImport, type MediaArea, sweepOrphanMedia } from './sweep-orphan-media.js';

const HOUR = 3600_000;
const GRACE = 24 * HOUR;

describe('sweepOrphanMedia', () => {
  let fx: Fixture;
  let root: string;
  let media: LocalDriver;
  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-orphans-'));
    media = new LocalDriver({ kind: 'local', root });
  });
  afterAll(async () => {
    await media?.close();
    await rm(root, { recursive: true, force: true });
    await fx?.close();
  });

  async function writeAged(key: string, ageMs: number): Promise<void> {
    const file = path.join(root, key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, key);
    const when = new Date(Date.now() - ageMs);
    await utimes(file, when, when);
  }

  async function taskAt(prefix: string): Promise<number> {
    const task = await fx.catalog.tasks.create(fx.actor, { name: 't', labels: [{ name: 'car' }] });
    await fx.catalog.data.create(task.id, { image_quality: 70, storage: 'local', media_prefix: prefix });
    return task.id;
  }

  async function* folders(area: MediaArea): AsyncIterable<string> {
    const entries = await readdir(path.join(root, area), { withFileTypes: true }).catch(() => []);
    for (const e of entries.filter((d) => d.isDirectory())) yield `${area}${e.name}/`;
  }

  const files = async () =>
    (await readdir(root, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
      .sort();

  const sweep = (live: LiveImport[], emptied: string[] = []) =>
    sweepOrphanMedia({
      media,
      folders,
      liveImports: async () => live,
      referencedPrefixes: () => fx.catalog.data.localMediaPrefixes(),
      graceMs: GRACE,
      emptied: async (folder, deleted) => {
        emptied.push(`${folder}:${deleted}`);
      },
    });

  it('deletes old media no task references and no live import writes, and only those', async () => {
    const failed = importMediaPrefix('rq-failed#');
    const restored = importMediaPrefix('rq-restored#');
    const young = importMediaPrefix('rq-young#');
    const queuedTask = importMediaPrefix('rq-queued#');
    const runningProject = importMediaPrefix('rq-project#task_2/');
    const failedProject = importMediaPrefix('rq-failed-project#task_0/');
    const uploaded = await taskAt('tasks/9001/ab12cd/');
    expect(uploaded).toBeGreaterThan(0);
    await taskAt(restored);
    for (const prefix of [failed, restored, queuedTask, runningProject, failedProject])
      for (const name of ['a.jpg', 'sub/b.jpg']) await writeAged(`${prefix}${name}`, 2 * GRACE);
    await writeAged(`${young}a.jpg`, 2 * GRACE);
    await writeAged(`${young}b.jpg`, HOUR); // a restore still copying: one file is recent
    await writeAged('tasks/9001/ab12cd/frame.jpg', 2 * GRACE);
    await writeAged('tasks/9002/ef34ab/frame.jpg', 2 * GRACE); // a task whose deletion left its files
    await writeAged('stray.jpg', 2 * GRACE); // not a task's folder: not the sweep's business

    const emptied: string[] = [];
    const counts = await sweep(
      [
        { importRequestId: 'rq-queued', target: 'task' },
        { importRequestId: 'rq-project', target: 'project' },
      ],
      emptied,
    );

    const gone = [failed, failedProject].map((p) => p.split('/').slice(0, 2).join('/'));
    expect(counts).toEqual({ orphanFolders: 3, orphanFiles: 5 });
    expect(emptied.sort()).toEqual([`${gone[0]}/:2`, `${gone[1]}/:2`, 'tasks/9002/:1'].sort());
    expect(await files()).toEqual(
      [
        ...[restored, queuedTask, runningProject].flatMap((p) => [`${p}a.jpg`, `${p}sub/b.jpg`]),
        `${young}a.jpg`,
        `${young}b.jpg`,
        'tasks/9001/ab12cd/frame.jpg',
        'stray.jpg',
      ].sort(),
    );

    // Once the queue no longer holds them (failed for good), their folders go too.
    expect(await sweep([])).toEqual({ orphanFolders: 2, orphanFiles: 4 });
    expect(await files()).toEqual(
      [
        `${restored}a.jpg`,
        `${restored}sub/b.jpg`,
        `${young}a.jpg`,
        `${young}b.jpg`,
        'tasks/9001/ab12cd/frame.jpg',
        'stray.jpg',
      ].sort(),
    );
  });

  it('a folder holding no file is reported as emptied with nothing deleted', async () => {
    await mkdir(path.join(root, 'imports', 'feedfeedfeedfeedfeedfeed', 'raw'), { recursive: true });
    const emptied: string[] = [];
    await sweep([], emptied);
    expect(emptied).toContain('imports/feedfeedfeedfeedfeedfeed/:0');
  });
});
