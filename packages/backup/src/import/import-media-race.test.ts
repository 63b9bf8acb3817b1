import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSource, openBackup } from '@cvat-backup/format';
import { lightweightTaskArchive } from '@cvat-backup/format/testing/fuzz/seed-archives';
import { type AtomicWrite, LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageTask, type Fixture, openFixture } from '../../test/export-fixture.js';
import { exportProjectToFile, exportTaskToFile } from '../../test/restore-helpers.js';
import { createVideoTask } from '../../test/video-fixture.js';
import { loadTaskView } from '../export/task-exporter.js';
import { importProject } from './project-importer.js';
import { type ImportResult, importTask, taskMediaPrefix } from './task-importer.js';

const rqId = (n: number) =>
  `action=import&target=task&id=00000000-0000-4000-8000-${String(n).padStart(12, '0')}&subresource=backup`;

/**
 * Two attempts of one restore at once, as BullMQ runs them when a job's lock is lost: attempt A
 * fails once its copy began and removes what lies under the request's media prefix, while attempt
 * B copies the same keys and then commits.
 */
describe('two attempts of one restore at once (real PostgreSQL and local storage)', () => {
  let fx: Fixture;
  let root: string;
  let media: StorageDriver;
  let imageTask: string;
  let videoTask: string;
  let project: string;

  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-race-'));
    media = new LocalDriver({ kind: 'local', root });
    const exported = async (taskId: Promise<number>, name: string) =>
      exportTaskToFile(fx, media, await taskId, root, name);
    imageTask = await exported(createImageTask(fx, root, { name: 'images' }), 'i.zip');
    videoTask = await exported(createVideoTask(fx, root, { name: 'video' }), 'v.zip');
    const source = await fx.catalog.projects.create(fx.actor, {
      name: 'two tasks',
      labels: [{ name: 'car', type: 'rectangle' }],
    });
    await createImageTask(fx, root, { name: 'morning', projectId: source.id });
    await createImageTask(fx, root, { name: 'evening', projectId: source.id });
    project = await exportProjectToFile(fx, media, source.id, root, 'p.zip');
  });

  afterAll(async () => {
    await media?.close();
    await fx?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** One attempt: its own reading of the archive, one file copied at a time (a deterministic order). */
  async function attempt(
    driver: StorageDriver,
    file: string,
    importRequestId: string,
  ): Promise<ImportResult> {
    const backup = await openBackup(await FileSource.open(file));
    try {
      const deps = { catalog: fx.catalog, localMedia: driver, copyConcurrency: 1 };
      const request = { userId: fx.actor.id, importRequestId };
      return backup.kind === 'task'
        ? await importTask(deps, backup.task, request)
        : await importProject(deps, backup, request);
    } finally {
      await backup.close();
    }
  }

  /** B, with A failing (and cleaning up) after B's `after`-th file was copied. */
  async function race(file: string, importRequestId: string, after: number) {
    let failureOfA: unknown;
    const a = () =>
      attempt(failingWrites(media), file, importRequestId).then(
        () => expect.unreachable('attempt A was to fail'),
        (err: unknown) => {
          failureOfA = err;
        },
      );
    const b = await attempt(pausingAfterWrites(media, after, a), file, importRequestId).catch(
      (err: unknown) => err,
    );
    expect(failureOfA).toMatchObject({ message: 'the storage went away during the copy' });
    return b;
  }

  /** The media files a task's rows name that are not in the storage. */
  async function missingMedia(taskId: number): Promise<string[]> {
    const { data } = await loadTaskView(fx.catalog, taskId);
    const paths: string[] = [];
    for await (const image of fx.catalog.data.images(data.id)) paths.push(image.path);
    const video = await fx.catalog.data.video(data.id);
    if (video) paths.push(video.path);
    const missing: string[] = [];
    for (const p of paths) if (!(await media.head(`${data.media_prefix}${p}`))) missing.push(p);
    return missing;
  }

  const tasksOf = async (projectId: number) =>
    (await fx.catalog.tasks.list(fx.actor, { filters: { project_id: String(projectId) } } as never)).results;

  /** B failed as a lost race fails, wrote no row, and a retry then restores every file. */
  async function expectRetriedWhole(failure: unknown, file: string, importRequestId: string) {
    expect(failure).toMatchObject({ code: 'BACKUP_RESTORE_MEDIA_INCOMPLETE', retryable: true });
    const find = file === project ? fx.catalog.projects : fx.catalog.tasks;
    expect(await find.findByImportRequestId(importRequestId)).toBeFalsy();
    const retry = await attempt(media, file, importRequestId);
    expect(retry.created).toBe(true);
    const taskIds = file === project ? (await tasksOf(retry.id)).map((t) => t.id) : [retry.id];
    expect(taskIds.length).toBeGreaterThan(0);
    for (const id of taskIds) expect(await missingMedia(id)).toEqual([]);
  }

  it('an image task: B, finding the files A removed gone, writes nothing and fails retryably', async () => {
    const failure = await race(imageTask, rqId(1), 2);
    expect(failure).toMatchObject({
      message: expect.stringContaining('images/img_0.jpg is missing (and 1 more of the 3 media files'),
    });
    await expectRetriedWhole(failure, imageTask, rqId(1));
  });

  it('a video task: B fails without its video, and the retry restores it', async () => {
    const failure = await race(videoTask, rqId(2), 1);
    expect(failure).toMatchObject({
      message: expect.stringContaining('street.mp4 is missing (and 0 more of the 1'),
    });
    await expectRetriedWhole(failure, videoTask, rqId(2));
  });

  it('a project: B checks the files of every task, the second task included', async () => {
    // A runs after B copied the first task (3 files) and one file of the second: all 4 go.
    const failure = await race(project, rqId(3), 4);
    expect(failure).toMatchObject({ message: expect.stringContaining('is missing (and 2 more of the 3') });
    await expectRetriedWhole(failure, project, rqId(3));
  });

  it('a copied file whose size differs from the archive is refused as well', async () => {
    const importRequestId = rqId(4);
    const failure = await attempt(
      pausingAfterWrites(media, 3, async () => {
        const { prefix } = await copiedPrefix(imageTask, importRequestId);
        const write = media.openWrite(`${prefix}images/img_1.jpg`);
        write.end(Buffer.from('x'));
        await write.commit();
      }),
      imageTask,
      importRequestId,
    ).catch((err: unknown) => err);
    expect(failure).toMatchObject({
      message: expect.stringMatching(/images\/img_1\.jpg holds 1 bytes, not \d+ \(and 0 more/),
    });
    await expectRetriedWhole(failure, imageTask, importRequestId);
  });

  it("A failing after B committed keeps B's files: the cleanup sees the committed task", async () => {
    const importRequestId = rqId(5);
    let committedByB: ImportResult | undefined;
    // A starts, copies nothing yet; B runs whole and commits; then A's copy fails and A cleans up.
    const failureOfA = await attempt(
      failingWrites(media, async () => {
        committedByB = await attempt(media, imageTask, importRequestId);
      }),
      imageTask,
      importRequestId,
    ).catch((err: unknown) => err);
    expect(failureOfA).toMatchObject({ message: 'the storage went away during the copy' });
    expect(committedByB?.created).toBe(true);
    expect(await missingMedia(committedByB!.id)).toEqual([]);
  });

  it('a lightweight backup copies no media and so checks none: no listing, no head', async () => {
    const file = path.join(root, 'lightweight.zip');
    await writeFile(file, await lightweightTaskArchive());
    const calls: string[] = [];
    const counting = new Proxy(media, {
      get(target, name) {
        const value = Reflect.get(target, name);
        if (typeof value !== 'function') return value;
        if (name === 'list' || name === 'head')
          return (...args: unknown[]) => {
            calls.push(String(name));
            return value.apply(target, args);
          };
        return value.bind(target);
      },
    });
    const result = await attempt(counting, file, rqId(6));
    expect(result.created).toBe(true);
    expect(calls).toEqual([]);
  });
});

/** Where an attempt of `importRequestId` copies the media of the task archive `file`. */
async function copiedPrefix(file: string, importRequestId: string): Promise<{ prefix: string }> {
  const backup = await openBackup(await FileSource.open(file), { expect: 'task' });
  try {
    if (backup.kind !== 'task') throw new Error('expected a task backup');
    return { prefix: taskMediaPrefix({ importRequestId }, backup.task) };
  } finally {
    await backup.close();
  }
}

/**
 * The driver, with `hook` run once after the `after`-th write it commits: lets a test put another
 * attempt's work (a cleanup, say) between two files of a copy, or between the copy and the
 * transaction. Everything else goes to the real driver.
 */
function pausingAfterWrites(driver: StorageDriver, after: number, hook: () => Promise<void>): StorageDriver {
  let committed = 0;
  return overridingOpenWrite(driver, (write) => {
    const commit = write.commit.bind(write);
    write.commit = async () => {
      const result = await commit();
      if (++committed === after) await hook();
      return result;
    };
  });
}

/**
 * The driver, with every write failing at its commit (a storage hiccup) and leaving nothing;
 * `before` runs once, before the first failure.
 */
function failingWrites(driver: StorageDriver, before?: () => Promise<void>): StorageDriver {
  let first = true;
  return overridingOpenWrite(driver, (write) => {
    write.commit = async () => {
      if (first) {
        first = false;
        await before?.();
      }
      const error = new Error('the storage went away during the copy');
      await write.abort(error);
      throw error;
    };
  });
}

function overridingOpenWrite(driver: StorageDriver, change: (write: AtomicWrite) => void): StorageDriver {
  return new Proxy(driver, {
    get(target, name) {
      if (name === 'openWrite')
        return (...args: Parameters<StorageDriver['openWrite']>) => {
          const write = target.openWrite(...args);
          change(write);
          return write;
        };
      const value = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
