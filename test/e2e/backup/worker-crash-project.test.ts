/**
 * A worker SIGKILLed in the middle of a project restore, after the first of its three tasks was
 * written inside the restore's transaction: nothing of the project is visible, and the retry makes
 * exactly one project with its three tasks.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ExportOutcome, ImportResult } from '@cvat-backup/backup';
import { describe, expect, it } from 'vitest';
import { useWorkerHarness } from './worker-harness.js';

describe('a worker killed during a project restore', () => {
  const harness = useWorkerHarness();

  const count = async (sql: string, params: unknown[] = []) =>
    Number(
      (await harness().fx.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0]!.n,
    );

  /** Task ids are drawn from a sequence, which a transaction advances visibly before it commits. */
  async function lastTaskId(): Promise<number> {
    const pool = harness().fx.pool;
    const seq = (await pool.query<{ s: string }>(`SELECT pg_get_serial_sequence('tasks', 'id') AS s`))
      .rows[0]!.s;
    const { rows } = await pool.query<{ v: string }>(
      `SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS v FROM ${seq}`,
    );
    return Number(rows[0]!.v);
  }

  it('leaves no project and no task after a kill between its tasks; the retry makes exactly one', async () => {
    const h = harness();
    const name = 'project crash';
    const project = await h.fx.catalog.projects.create(h.fx.actor, { name, labels: [{ name: 'car' }] });
    // Thousands of shapes per task: writing each task's records takes long enough to be killed in.
    for (const i of [1, 2, 3])
      await h.createBigTask(`${name} ${i}`, 50, { projectId: project.id, fileBytes: 1024, shapes: 6000 });
    const exported = await h.finished<ExportOutcome>(
      'exports',
      (await h.producer.enqueueExport(h.exportRequest({ target: 'project', targetId: project.id }))).rqId,
    );
    await mkdir(path.join(h.dataRoot, 'staging', 'uploads'), { recursive: true });
    await copyFile(
      path.join(h.dataRoot, 'archives', exported.key),
      path.join(h.dataRoot, 'staging', 'uploads', 'project.zip'),
    );
    const before = {
      projects: await count('projects'),
      tasks: await count('tasks'),
      last: await lastTaskId(),
    };

    const { rqId } = await h.producer.enqueueImport({
      version: 1,
      target: 'project',
      userId: h.fx.actor.id,
      source: { kind: 'staged', key: 'uploads/project.zip' },
      requestedAt: new Date().toISOString(),
    });
    // The second task's id drawn: the first task is written, the transaction still open.
    const deadline = Date.now() + 30_000;
    while ((await lastTaskId()) < before.last + 2) {
      if (Date.now() > deadline)
        throw new Error(`the restore never reached its second task:\n${h.worker.output}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await h.worker.kill();
    // PostgreSQL rolls the dead session's transaction back; nothing of it is ever visible.
    expect({ projects: await count('projects'), tasks: await count('tasks') }).toEqual({
      projects: before.projects,
      tasks: before.tasks,
    });
    expect((await h.producer.imports.getJob(rqId))?.finishedOn).toBeUndefined();

    await h.worker.start();
    const result = await h.finished<ImportResult>('imports', rqId);
    expect(result.created).toBe(true);
    expect(await count('projects')).toBe(before.projects + 1);
    expect(await count('projects WHERE name = $1', [name])).toBe(2);
    const restored = await h.fx.pool.query<{ name: string; shapes: string }>(
      `SELECT t.name, (SELECT count(*) FROM annotation_shapes s JOIN jobs j ON j.id = s.job_id
                        WHERE j.task_id = t.id) AS shapes
         FROM tasks t WHERE t.project_id = $1 ORDER BY t.name`,
      [result.id],
    );
    expect(restored.rows).toEqual([1, 2, 3].map((i) => ({ name: `${name} ${i}`, shapes: '6000' })));
    expect(await count('tasks')).toBe(before.tasks + 3);
  });
});
