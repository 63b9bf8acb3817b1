import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCatalog, seedActor, type TestCatalog } from '../../test/catalog-fixture.js';
import type { CatalogTransaction } from '../catalog.js';
import { itemsOf } from '../repositories/annotation.repository.js';
import type { Actor } from '../repositories/common.types.js';
import type { TaskRecord } from '../repositories/task.repository.js';
import { PgCatalog } from './pg-catalog.js';

let t: TestCatalog;
let owner: Actor;
beforeAll(async () => {
  t = await openTestCatalog();
  owner = await seedActor(t.catalog);
});
afterAll(async () => {
  await t.close();
});

const counts = async () => {
  const { rows } = await t.pool.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM projects) AS projects, (SELECT count(*) FROM tasks) AS tasks,
       (SELECT count(*) FROM labels) AS labels, (SELECT count(*) FROM task_data) AS data,
       (SELECT count(*) FROM media_images) AS images, (SELECT count(*) FROM media_manifest_lines) AS manifest,
       (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM annotation_shapes) AS shapes`,
  );
  return rows[0];
};

/** What a restore does: everything of one task in one transaction, keyed by the request id. */
async function restore(tx: CatalogTransaction, requestId: string, fail?: string): Promise<TaskRecord> {
  await tx.lockImportRequest(requestId);
  const existing = await tx.tasks.findByImportRequestId(requestId);
  if (existing) return existing;
  const project = await tx.projects.create(owner, {
    name: 'restored project',
    labels: [{ name: 'car', type: 'rectangle' }],
  });
  const task = await tx.tasks.create(owner, {
    name: 'restored',
    project_id: project.id,
    import_request_id: requestId,
    segment_size: 3,
  });
  await tx.data.create(task.id, {
    image_quality: 70,
    images: [0, 1, 2].map((frame) => ({ frame, path: `images/${frame}.jpg`, width: 10, height: 10 })),
    manifest: ['{"version":"1.1"}', '{"type":"images"}'],
  });
  const [job] = await tx.jobs.createSegments(task.id, [
    { start_frame: 0, stop_frame: 2, jobs: [{ status: 'completed' }] },
  ]);
  const [car] = await tx.labels.treeOfTask(task.id);
  await tx.annotations.append(
    job!.id,
    itemsOf({ shapes: [{ label_id: car!.id, type: 'rectangle', frame: 1, points: [0, 0, 1, 1] }] }),
  );
  if (fail) throw new Error(fail);
  return (await tx.tasks.get(owner, task.id))!;
}

describe('PgCatalog.transaction', () => {
  it('commits a whole restore at once, and a failing one leaves nothing behind', async () => {
    const before = await counts();
    await expect(t.catalog.transaction((tx) => restore(tx, 'req-fail', 'disk full'))).rejects.toThrow(
      'disk full',
    );
    expect(await counts()).toEqual(before);
    expect(await t.catalog.tasks.findByImportRequestId('req-fail')).toBeNull();
    const task = await t.catalog.transaction((tx) => restore(tx, 'req-ok'));
    expect(task).toMatchObject({
      name: 'restored',
      size: 3,
      jobs: { count: 1, completed: 1, validation: 0 },
    });
    expect(await t.catalog.annotations.count((await t.catalog.jobs.forTask(task.id))[0]!.id)).toEqual({
      tags: 0,
      shapes: 1,
      tracks: 0,
    });
  });

  it('keeps the restore invisible to others until it commits', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let created!: () => void;
    const createdSignal = new Promise<void>((resolve) => {
      created = resolve;
    });
    const running = t.catalog.transaction(async (tx) => {
      const task = await restore(tx, 'req-hidden');
      created();
      await gate;
      return task;
    });
    await createdSignal;
    expect(await t.catalog.tasks.findByImportRequestId('req-hidden')).toBeNull();
    release();
    const task = await running;
    expect((await t.catalog.tasks.findByImportRequestId('req-hidden'))?.id).toBe(task.id);
  });

  it('runs retried imports with the same request id once: the retry finds the first result', async () => {
    const results = await Promise.all([
      t.catalog.transaction((tx) => restore(tx, 'req-twice')),
      t.catalog.transaction((tx) => restore(tx, 'req-twice')),
      t.catalog.transaction((tx) => restore(tx, 'req-twice')),
    ]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const { rows } = await t.pool.query('SELECT id FROM tasks WHERE import_request_id = $1', ['req-twice']);
    expect(rows).toHaveLength(1);
    // A retry after the first committed finds it, too.
    expect((await t.catalog.transaction((tx) => restore(tx, 'req-twice'))).id).toBe(results[0]!.id);
  });

  it('rolls back a failed repository step inside a transaction without aborting the transaction', async () => {
    const id = await t.catalog.transaction(async (tx) => {
      const task = await tx.tasks.create(owner, { name: 'survives' });
      await expect(tx.tasks.create(owner, { name: '' })).rejects.toThrow();
      await tx.tasks.update(owner, task.id, { subset: 'after-failure' });
      return task.id;
    });
    expect((await t.catalog.tasks.get(owner, id))?.subset).toBe('after-failure');
  });

  it('opens its own migrated pool from a URL and closes it', async () => {
    const opened = await PgCatalog.open(t.db.url, { credentialsKey: t.key, poolMax: 2 });
    try {
      expect((await opened.tasks.list({ id: 0, isAdmin: true })).count).toBeGreaterThan(0);
    } finally {
      await opened.close();
    }
    expect(opened.pool.ended).toBe(true);
    await expect(
      PgCatalog.open('postgres://postgres@127.0.0.1:1/none', { credentialsKey: t.key }),
    ).rejects.toThrow();
  });

  it('runs read-only snapshots: writes are refused there', async () => {
    await expect(
      t.catalog.transaction((tx) => tx.tasks.create(owner, { name: 'nope' }), {
        readOnly: true,
        isolation: 'repeatable read',
      }),
    ).rejects.toThrow(/read-only/);
  });
});
