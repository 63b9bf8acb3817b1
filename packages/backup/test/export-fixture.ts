import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Actor, deriveCredentialsKey, migrate, PgCatalog } from '@cvat-backup/catalog';
import { createTestDatabase, type TestDatabase } from '@cvat-backup/testkit';
import pg from 'pg';

export interface Fixture {
  db: TestDatabase;
  pool: pg.Pool;
  catalog: PgCatalog;
  actor: Actor;
  close(): Promise<void>;
}

/**
 * A migrated database of this test file's own, with a catalog and one user on it. `secretKey` makes
 * the catalog encrypt credentials as a process given that SECRET_KEY would.
 */
export async function openFixture(options: { secretKey?: string } = {}): Promise<Fixture> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', () => {});
  await migrate(pool);
  const credentialsKey = options.secretKey ? deriveCredentialsKey(options.secretKey) : randomBytes(32);
  const catalog = new PgCatalog(pool, { credentialsKey });
  const user = await catalog.users.create({
    username: `owner${randomBytes(3).toString('hex')}`,
    password: 'secret-pass',
    is_superuser: false,
  });
  return {
    db,
    pool,
    catalog,
    actor: { id: user.id, isAdmin: false },
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
}

export const SKELETON_SVG =
  '<circle r="1.5" data-type="element node" data-element-id="1" data-node-id="1" data-label-name="nose" cx="50" cy="50"></circle>';

/** Image bytes that differ per frame (the exporter copies bytes; it never decodes them). */
export const imageBytes = (frame: number) =>
  Buffer.from(`\xff\xd8 frame ${frame} ${'x'.repeat(100 + frame)}`, 'latin1');

/** Writes three images under `<root>/<prefix>` and returns their manifest lines. */
export async function writeImages(root: string, prefix: string): Promise<string[]> {
  const lines = ['{"version":"1.1"}', '{"type":"images"}'];
  for (let frame = 0; frame < 3; frame++) {
    const file = path.join(root, prefix, 'images', `img_${frame}.jpg`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, imageBytes(frame));
    lines.push(
      JSON.stringify({
        name: `images/img_${frame}`,
        extension: '.jpg',
        width: 10,
        height: 20,
        meta: {},
        checksum: `c${frame}`,
      }),
    );
  }
  return lines;
}

/** A task with three local images, two annotation jobs and one rectangle, optionally in a project. */
export async function createImageTask(
  fx: Fixture,
  root: string,
  options: { name: string; projectId?: number },
): Promise<number> {
  const { catalog, actor } = fx;
  const task = await catalog.tasks.create(actor, {
    name: options.name,
    segment_size: 2,
    ...(options.projectId
      ? { project_id: options.projectId }
      : { labels: [{ name: 'car', type: 'rectangle' }] }),
  });
  const manifest = await writeImages(root, `tasks/${task.id}/raw`);
  await catalog.data.create(task.id, {
    image_quality: 70,
    media_prefix: `tasks/${task.id}/raw/`,
    stop_frame: 2,
    images: [0, 1, 2].map((frame) => ({
      frame,
      path: `images/img_${frame}.jpg`,
      width: 10,
      height: 20,
      byte_size: imageBytes(frame).length,
    })),
    manifest,
  });
  const jobs = await catalog.jobs.createSegments(task.id, [
    { start_frame: 0, stop_frame: 1 },
    { start_frame: 2, stop_frame: 2 },
  ]);
  const [car] = (await catalog.labels.treeOfTask(task.id)).filter((l) => l.name === 'car');
  await catalog.annotations.append(jobs[1]!.id, [
    { kind: 'shape', value: { label_id: car!.id, type: 'rectangle', frame: 2, points: [1, 1, 2, 2] } },
  ]);
  return task.id;
}

/**
 * A task with a select attribute, a skeleton (svg + sublabel), three local images, a deleted frame, two
 * annotation jobs (one completed) and a ground-truth job on frames 0 and 2; annotations of every kind.
 */
export async function createRichTask(fx: Fixture, root: string): Promise<number> {
  const { catalog, actor } = fx;
  const task = await catalog.tasks.create(actor, {
    name: 'Cars ünïcode',
    subset: 'train',
    segment_size: 2,
    labels: [
      {
        name: 'car',
        color: '#fa3253',
        type: 'rectangle',
        attributes: [
          { name: 'model', mutable: false, input_type: 'select', default_value: 'a', values: ['a', 'b'] },
        ],
      },
      {
        name: 'person',
        color: '#33ddff',
        type: 'skeleton',
        svg: SKELETON_SVG,
        sublabels: [{ name: 'nose', color: '#d12345', type: 'points' }],
      },
    ],
  });
  const manifest = await writeImages(root, `tasks/${task.id}/raw`);
  await catalog.data.create(task.id, {
    image_quality: 70,
    chunk_size: 72,
    media_prefix: `tasks/${task.id}/raw/`,
    stop_frame: 2,
    deleted_frames: [1],
    images: [0, 1, 2].map((frame) => ({
      frame,
      path: `images/img_${frame}.jpg`,
      width: 10,
      height: 20,
      byte_size: imageBytes(frame).length,
    })),
    manifest,
  });
  const jobs = await catalog.jobs.createSegments(task.id, [
    {
      start_frame: 0,
      stop_frame: 1,
      jobs: [{ status: 'completed', stage: 'acceptance', state: 'completed' }],
    },
    { start_frame: 2, stop_frame: 2 },
    {
      type: 'specific_frames',
      start_frame: 0,
      stop_frame: 2,
      frames: [0, 2],
      jobs: [{ type: 'ground_truth' }],
    },
  ]);
  const labels = await catalog.labels.treeOfTask(task.id);
  const car = labels.find((l) => l.name === 'car')!;
  const person = labels.find((l) => l.name === 'person')!;
  const nose = person.sublabels[0]!;
  await catalog.annotations.append(jobs[0]!.id, [
    {
      kind: 'tag',
      value: { label_id: car.id, frame: 0, attributes: [{ spec_id: car.attributes[0]!.id, value: 'b' }] },
    },
    {
      kind: 'shape',
      value: {
        label_id: car.id,
        type: 'rectangle',
        frame: 1,
        points: [1, 2, 3.5, 4],
        attributes: [{ spec_id: car.attributes[0]!.id, value: 'a' }],
      },
    },
    {
      kind: 'shape',
      value: {
        label_id: person.id,
        type: 'skeleton',
        frame: 0,
        points: [],
        elements: [{ label_id: nose.id, type: 'points', frame: 0, points: [5, 6] }],
      },
    },
    {
      kind: 'track',
      value: {
        label_id: car.id,
        frame: 0,
        shapes: [
          { type: 'rectangle', frame: 0, points: [0, 0, 1, 1] },
          { type: 'rectangle', frame: 1, outside: true, points: [0, 0, 1, 1] },
        ],
      },
    },
  ]);

  return task.id;
}
