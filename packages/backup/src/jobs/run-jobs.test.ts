import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageTask, type Fixture, openFixture } from '../../test/export-fixture.js';
import { localArchiveKey, runExport } from './run-export.js';
import { runImport } from './run-import.js';

describe('runExport / runImport (real PostgreSQL and local storage)', () => {
  let fx: Fixture;
  let root: string;
  let media: StorageDriver;
  let archives: StorageDriver;
  let taskId: number;
  const deps = () => ({
    catalog: fx.catalog,
    localMedia: media,
    archives,
    cloudStorage: async () => media,
    reuseWithinMs: 60_000,
  });

  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-run-'));
    media = new LocalDriver({ kind: 'local', root, prefix: 'media' });
    archives = new LocalDriver({ kind: 'local', root, prefix: 'archives' });
    taskId = await createImageTask(fx, path.join(root, 'media'), { name: 'Street Cam' });
  });

  afterAll(async () => {
    await media?.close();
    await archives?.close();
    await fx?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("writes a local archive under a key of the resource state, named by CVAT's mask, and reports progress", async () => {
    const phases = new Set<string>();
    const outcome = await runExport(
      deps(),
      { target: 'task', id: taskId, lightweight: false, destination: { location: 'local' } },
      (p) => phases.add(p.phase),
    );
    const task = (await fx.catalog.tasks.get(fx.actor, taskId))!;
    expect(outcome).toMatchObject({
      location: 'local',
      key: localArchiveKey('task', taskId, task.updated_date, false),
      reused: false,
      lightweight: false,
      resourceUpdatedDate: task.updated_date.toISOString(),
    });
    expect(outcome.filename).toMatch(/^task_street cam_backup_\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.zip$/);
    expect((await archives.head(outcome.key))?.size).toBe(outcome.size);
    expect([...phases]).toEqual(
      expect.arrayContaining(['reading', 'writing-media', 'writing-annotations', 'committing', 'done']),
    );
  });

  it('serves an unchanged resource from the archive already made, and rebuilds a changed one', async () => {
    const run = {
      target: 'task' as const,
      id: taskId,
      lightweight: false,
      destination: { location: 'local' as const },
    };
    const first = await runExport(deps(), run);
    const again = await runExport(deps(), run);
    expect(again).toEqual({ ...first, reused: true });
    await new Promise((r) => setTimeout(r, 5));
    await fx.catalog.tasks.touch(taskId);
    const changed = await runExport(deps(), run);
    expect(changed.reused).toBe(false);
    expect(changed.key).not.toBe(first.key);
  });

  it('honours a custom name (sanitised)', async () => {
    const outcome = await runExport(deps(), {
      target: 'task',
      id: taskId,
      lightweight: false,
      destination: { location: 'local' },
      filename: '../weekly: cams?.zip',
    });
    expect(outcome.filename).toBe('weekly_ cams_.zip');
  });

  it('leaves nothing under the final key when the export fails half-way', async () => {
    const victim = await createImageTask(fx, path.join(root, 'media'), { name: 'broken' });
    await unlink(path.join(root, 'media', `tasks/${victim}/raw/images/img_2.jpg`));
    const updated = (await fx.catalog.tasks.get(fx.actor, victim))!.updated_date;
    await expect(
      runExport(deps(), {
        target: 'task',
        id: victim,
        lightweight: false,
        destination: { location: 'local' },
      }),
    ).rejects.toMatchObject({
      code: 'STORAGE_OBJECT_NOT_FOUND',
    });
    expect(await archives.head(localArchiveKey('task', victim, updated, false))).toBeUndefined();
    const leftovers: string[] = [];
    for await (const page of archives.list(`task-${victim}/`)) leftovers.push(...page.map((e) => e.key));
    expect(leftovers).toEqual([]);
  });

  it('restores from a stored archive with ranged reads, once per request id', async () => {
    const exported = await runExport(deps(), {
      target: 'task',
      id: taskId,
      lightweight: false,
      destination: { location: 'local' },
    });
    const run = {
      target: 'task' as const,
      source: { driver: archives, key: exported.key },
      userId: fx.actor.id,
      importRequestId: 'action=import&target=task&id=00000000-0000-4000-8000-0000000000b1&subresource=backup',
    };
    const first = await runImport({ catalog: fx.catalog, localMedia: media }, run);
    expect(first.created).toBe(true);
    expect((await fx.catalog.tasks.get(fx.actor, first.id))?.name).toBe('Street Cam');
    // The retry needs no archive: it finds the committed task by its request id.
    expect(
      await runImport(
        { catalog: fx.catalog, localMedia: media },
        { ...run, source: { driver: archives, key: 'gone.zip' } },
      ),
    ).toEqual({ id: first.id, created: false });
  });

  it('refuses a task archive restored as a project, and a missing archive, with coded errors', async () => {
    const exported = await runExport(deps(), {
      target: 'task',
      id: taskId,
      lightweight: false,
      destination: { location: 'local' },
    });
    const base = {
      userId: fx.actor.id,
      importRequestId:
        'action=import&target=project&id=00000000-0000-4000-8000-0000000000b2&subresource=backup',
    };
    await expect(
      runImport(
        { catalog: fx.catalog, localMedia: media },
        { ...base, target: 'project', source: { driver: archives, key: exported.key } },
      ),
    ).rejects.toMatchObject({
      code: 'ARCHIVE_IS_TASK',
    });
    await expect(
      runImport(
        { catalog: fx.catalog, localMedia: media },
        { ...base, target: 'project', source: { driver: archives, key: 'nope.zip' } },
      ),
    ).rejects.toMatchObject({
      code: 'STORAGE_OBJECT_NOT_FOUND',
    });
  });
});
