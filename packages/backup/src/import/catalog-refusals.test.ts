/**
 * Archives that pass every format check but hold a value the catalog refuses: a restore must refuse
 * them before it copies any media, with the catalog's code, and leave nothing under its prefix.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Catalog, PgCatalog } from '@cvat-backup/catalog';
import { BufferSource, openBackup } from '@cvat-backup/format';
import { listTree } from '@cvat-backup/format/testing/fuzz/fuzz-run';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cvatEntries } from '../../test/cvat-video-archive.js';
import { type Fixture, openFixture } from '../../test/export-fixture.js';
import { videoManifest } from '../../test/video-fixture.js';
import { removeUncommittedMedia } from './import-media-cleanup.js';
import { importProject } from './project-importer.js';
import {
  attributesOf,
  data,
  honeypot,
  type Json,
  job,
  jobs,
  labelsOf,
  long,
  pointClouds,
  pointCloudTaskArchive,
  projectArchive,
  projectLabelInputs,
  rectangle,
  set,
  skeleton,
  taskArchive,
  toPointClouds,
  track,
  zipOf,
} from './restore-test-archive.js';
import { importTask, type TaskImportRequest, taskMediaPrefix } from './task-importer.js';

type Bend = (task: Json, annotations: Json[], manifest: Json[]) => void;
const shapeIn =
  (i: number, shape: Json): Bend =>
  (_t, a) => {
    job(a, i).shapes.push(shape);
  };

/** Each case: one value the catalog refuses, and the code it refuses it with. */
const TASK_CASES: Array<[string, string, Bend]> = [
  ['a shape on a frame outside its job', 'CATALOG_ANNOTATION_INVALID', shapeIn(0, rectangle(2))],
  [
    'a tag on a frame the ground-truth job does not hold',
    'CATALOG_ANNOTATION_INVALID',
    (_t, a) => {
      job(a, 2).tags.push({ frame: 1, group: 0, source: 'manual', attributes: [], label: 'car' });
    },
  ],
  [
    'a tracked shape outside its job',
    'CATALOG_ANNOTATION_INVALID',
    (_t, a) => {
      job(a, 0).tracks.push(track([0, 2]));
    },
  ],
  [
    'a skeleton element on a frame outside its job',
    'CATALOG_ANNOTATION_INVALID',
    shapeIn(0, { ...skeleton(1), elements: [{ ...(skeleton(1)['elements'] as Json[])[0], frame: 2 }] }),
  ],
  ['an unknown source', 'CATALOG_ANNOTATION_INVALID', shapeIn(0, { ...rectangle(0), source: 'imported' })],
  [
    'a rectangle of 3 values',
    'CATALOG_ANNOTATION_INVALID',
    shapeIn(0, { ...rectangle(0), points: [1, 2, 3] }),
  ],
  ['a rotation of 400', 'CATALOG_ANNOTATION_INVALID', shapeIn(0, { ...rectangle(0), rotation: 400 })],
  ['a skeleton without elements', 'CATALOG_ANNOTATION_INVALID', shapeIn(0, { ...skeleton(0), elements: [] })],
  [
    'a rectangle with elements',
    'CATALOG_ANNOTATION_INVALID',
    shapeIn(0, { ...skeleton(0), type: 'rectangle', points: [1, 2, 3, 4] }),
  ],
  // Before: CATALOG_INVALID_VALUE from PostgreSQL ("value ... is out of range"), mid-transaction.
  ['a group beyond 32 bits', 'CATALOG_ANNOTATION_INVALID', shapeIn(0, { ...rectangle(0), group: 2 ** 31 })],
  [
    'a z_order beyond 32 bits',
    'CATALOG_ANNOTATION_INVALID',
    shapeIn(0, { ...rectangle(0), z_order: -(2 ** 31) - 1 }),
  ],
  [
    'ground-truth frames outside the job',
    'CATALOG_INVALID_VALUE',
    (t) => set(jobs(t)[2]!, 'frames', [0, 2, 7]),
  ],
  [
    'a job that stops before it starts',
    'CATALOG_INVALID_VALUE',
    (t, a) => {
      Object.assign(jobs(t)[1]!, { start_frame: 2, stop_frame: 1 });
      job(a, 1).shapes = [];
    },
  ],
  [
    'a skeleton svg naming no sublabel',
    'CATALOG_INVALID_VALUE',
    (t) => set(labelsOf(t)[1]!, 'svg', '<circle data-label-name="tail"></circle>'),
  ],
  [
    'a label name of 65 characters',
    'CATALOG_INVALID_VALUE',
    (t) => {
      labelsOf(t).push({ ...labelsOf(t)[0], name: long(65) });
    },
  ],
  [
    'an attribute name of 65 characters',
    'CATALOG_INVALID_VALUE',
    (t) => {
      attributesOf(t).push({ name: long(65), input_type: 'text' });
    },
  ],
  [
    'a label colour that is not #rrggbb',
    'CATALOG_INVALID_VALUE',
    (t) => set(labelsOf(t)[0]!, 'color', 'red'),
  ],
  [
    'an attribute default of 129 characters',
    'CATALOG_INVALID_VALUE',
    (t) => set(attributesOf(t)[0]!, 'default_value', long(129)),
  ],
  ['a task name of 257 characters', 'CATALOG_INVALID_VALUE', (t) => set(t, 'name', long(257))],
  ['a bug tracker of 2001 characters', 'CATALOG_INVALID_VALUE', (t) => set(t, 'bug_tracker', long(2001))],
  ['a subset of 65 characters', 'CATALOG_INVALID_VALUE', (t) => set(t, 'subset', long(65))],
  [
    'a frame filter that is not step=N',
    'CATALOG_INVALID_VALUE',
    (t) => set(data(t), 'frame_filter', 'every=1'),
  ],
  [
    'a validation layout of 0 frames per job',
    'CATALOG_INVALID_VALUE',
    (t) => set(data(t), 'validation_layout', { mode: 'gt_pool', frames_per_job_count: 0, frames: [] }),
  ],
  // Before: PostgreSQL's "invalid byte sequence" (22021) or jsonb's "unsupported Unicode escape
  // sequence" (22P05), uncoded: INTERNAL (500) from runImport, after the copy.
  ['a NUL character in the task name', 'CATALOG_INVALID_VALUE', (t) => set(t, 'name', 'a\u0000b')],
  [
    'a NUL character in an attribute value',
    'CATALOG_ANNOTATION_INVALID',
    (_t, a) => {
      job(a, 0).tags.push({
        frame: 0,
        group: 0,
        source: 'manual',
        attributes: [{ name: 'colour', value: 'r\u0000' }],
        label: 'car',
      });
    },
  ],
  [
    "a NUL character in an attribute's values",
    'CATALOG_INVALID_VALUE',
    (t) => set(attributesOf(t)[0]!, 'values', ['a\u0000']),
  ],
  [
    'a segment size beyond 32 bits (a job of 2^31 frames)',
    'CATALOG_INVALID_VALUE',
    (t) => set(jobs(t)[0]!, 'stop_frame', 2 ** 31 - 1),
  ],
  ['a chunk size beyond 32 bits', 'CATALOG_INVALID_VALUE', (t) => set(data(t), 'chunk_size', 2 ** 31)],
  [
    'a deleted frame beyond 32 bits',
    'CATALOG_INVALID_VALUE',
    (t) => set(data(t), 'deleted_frames', [2 ** 31]),
  ],
  [
    'consensus replicas beyond 32 bits',
    'CATALOG_INVALID_VALUE',
    (t) => set(t, 'consensus_replicas', 2 ** 31),
  ],
  ['an image of width -1 in the manifest', 'CATALOG_INVALID_VALUE', (_t, _a, m) => set(m[1]!, 'width', -1)],
  [
    'an image path of 1025 characters in the manifest',
    'CATALOG_INVALID_VALUE',
    (_t, _a, m) => set(m[2]!, 'name', `images/${long(1014)}`),
  ],
  // CVAT's restore refuses these too (a job beyond the task's frames is refused by
  // JobWriteSerializer; frames whose file differs from a job's "files" by task.py).
  ["a job beyond the task's last frame", 'BACKUP_JOB_OUTSIDE_TASK', (t) => set(jobs(t)[1]!, 'stop_frame', 3)],
  [
    "a ground-truth frame beyond the task's last frame",
    'BACKUP_JOB_OUTSIDE_TASK',
    (t) => Object.assign(jobs(t)[2]!, { stop_frame: 3, frames: [0, 2, 3] }),
  ],
  [
    'a honeypot task whose manifest lists each file once (jobs and ground truth beyond its frames)',
    'BACKUP_JOB_FILES_MISMATCH',
    honeypot([0, 1, 2]),
  ],
  [
    "a honeypot task whose ground-truth job lies beyond the manifest's frames",
    'BACKUP_JOB_OUTSIDE_TASK',
    honeypot([0, 2, 1, 2]),
  ],
  [
    'a honeypot task whose manifest puts another file where a job\'s "files" put its placeholder',
    'BACKUP_JOB_FILES_MISMATCH',
    honeypot([0, 1, 2, 2, 2]),
  ],
  [
    'custom segments whose "files" are in another order than the manifest',
    'BACKUP_JOB_FILES_MISMATCH',
    (t) => {
      set(data(t), 'custom_segments', true);
      set(jobs(t)[0]!, 'files', ['images/f1.jpg', 'images/f0.jpg']);
      set(jobs(t)[1]!, 'files', ['images/f2.jpg']);
    },
  ],
  [
    'custom segments with fewer "files" than frames',
    'BACKUP_JOB_FILES_MISMATCH',
    (t) => {
      set(data(t), 'custom_segments', true);
      set(jobs(t)[0]!, 'files', ['images/f0.jpg']);
      set(jobs(t)[1]!, 'files', ['images/f2.jpg']);
    },
  ],
  [
    'point clouds mixed with images in the manifest',
    'BACKUP_MIXED_DIMENSIONS',
    (_t, _a, m) => set(m[1]!, 'extension', '.pcd'),
  ],
  [
    'a validation frame the ground-truth job does not hold',
    'BACKUP_UNSUPPORTED_MEDIA',
    (t) => set(data(t), 'validation_layout', { mode: 'gt_pool', frames: ['images/f1.jpg'] }),
  ],
];

type ProjectBend = (project: Json, task: Json, annotations: Json[]) => void;

/** The same rules reached through a project restore: project.json, or the second of two tasks. */
const PROJECT_CASES: Array<[string, string, ProjectBend]> = [
  ['a project name of 257 characters', 'CATALOG_INVALID_VALUE', (p) => set(p, 'name', long(257))],
  [
    'a project skeleton svg naming no sublabel',
    'CATALOG_INVALID_VALUE',
    (p) => set(labelsOf(p)[1]!, 'svg', '<circle data-label-name="tail"></circle>'),
  ],
  ['a task name of 257 characters', 'CATALOG_INVALID_VALUE', (_p, t) => set(t, 'name', long(257))],
  [
    'ground-truth frames outside the job',
    'CATALOG_INVALID_VALUE',
    (_p, t) => set(jobs(t)[2]!, 'frames', [0, 9]),
  ],
  [
    'a shape on a frame outside its job',
    'CATALOG_ANNOTATION_INVALID',
    (_p, _t, a) => {
      job(a, 0).shapes.push(rectangle(2));
    },
  ],
];

/**
 * Media storage that remembers every key a restore began to write; `afterCopy` runs once the last
 * of `files` is committed, before the copy returns (so before the restore's transaction).
 */
function recording(
  media: StorageDriver,
  afterCopy?: { files: number; run: () => Promise<unknown> },
): { driver: StorageDriver; writes: string[] } {
  const writes: string[] = [];
  let committed = 0;
  const driver = new Proxy(media, {
    get(target, key) {
      if (key === 'openWrite')
        return (name: string, options: never) => {
          writes.push(name);
          const write = target.openWrite(name, options);
          const commit = write.commit.bind(write);
          write.commit = async () => {
            const result = await commit();
            if (++committed === afterCopy?.files) await afterCopy.run();
            return result;
          };
          return write;
        };
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { driver, writes };
}

describe('a restore refuses what the catalog would refuse, before copying media', () => {
  let fx: Fixture;
  let root: string;
  let media: StorageDriver;
  let n = 0;

  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-refusals-'));
    media = new LocalDriver({ kind: 'local', root });
  });

  afterAll(async () => {
    await media?.close();
    await fx?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const filesUnder = async () => (await listTree(root)).filter((f) => f.startsWith('imports'));

  /** Restores `bytes` (task or project); what it returned or threw, what it wrote, what it left. */
  async function restore(
    bytes: Buffer,
    options: {
      catalog?: Catalog;
      request?: Partial<TaskImportRequest>;
      afterCopy?: { files: number; run: () => Promise<unknown> };
    } = {},
  ) {
    const before = await filesUnder();
    const { driver, writes } = recording(media, options.afterCopy);
    const archive = await openBackup(new BufferSource(bytes));
    const deps = { catalog: options.catalog ?? fx.catalog, localMedia: driver };
    const request = { userId: fx.actor.id, importRequestId: `refusal-${++n}`, ...options.request };
    const outcome = await (archive.kind === 'task'
      ? importTask(deps, archive.task, request)
      : importProject(deps, archive, request)
    ).then(
      (result) => ({ result, error: undefined }),
      (error: { code?: string; status?: number; message: string }) => ({ result: undefined, error }),
    );
    await archive.close();
    const left = (await filesUnder()).filter((f) => !before.includes(f));
    return { ...outcome, writes, left };
  }

  it('restores the archives unbent (each case below differs from them by one value)', async () => {
    const task = await restore(await taskArchive());
    expect(task.error).toBeUndefined();
    expect(task.writes).toHaveLength(3);
    expect(task.left).toHaveLength(3);
    const project = await restore(await projectArchive());
    expect(project.error).toBeUndefined();
    expect(project.left).toHaveLength(6);
  });

  for (const [name, code, bend] of TASK_CASES) {
    it(`task: ${name} → ${code}, nothing written`, async () => {
      const { error, writes, left } = await restore(await taskArchive(bend));
      expect(error).toMatchObject({ code, status: 400 });
      expect(writes).toEqual([]);
      expect(left).toEqual([]);
    });
  }

  for (const [name, code, bend] of PROJECT_CASES) {
    it(`project: ${name} → ${code}, nothing written`, async () => {
      const { error, writes, left } = await restore(await projectArchive(bend));
      expect(error).toMatchObject({ code, status: 400 });
      expect(writes).toEqual([]);
      expect(left).toEqual([]);
    });
  }

  describe('a project of 2D and 3D tasks (CVAT: the first task sets the dimension, another is refused)', () => {
    it('a 3D task after a 2D one → BACKUP_PROJECT_MIXED_DIMENSIONS, nothing written', async () => {
      const bytes = await projectArchive((_p, _t, _a, m) => toPointClouds(m), pointClouds('task_1/'));
      const { error, writes, left } = await restore(bytes);
      expect(error).toMatchObject({ code: 'BACKUP_PROJECT_MIXED_DIMENSIONS', status: 400 });
      expect(error?.message).toBe(
        'Task "bent" (task_1/) of the project backup is 3D, but the project\'s first task, "bent" (task_0/), is 2D: the tasks of a project are all 2D or all 3D, and CVAT refuses this backup too. Restore that task on its own (as a task backup), or back up a project whose tasks share one dimension.',
      );
      expect(writes).toEqual([]);
      expect(left).toEqual([]);
    });

    it('a 2D task after a 3D one → refused the same way; two 3D tasks restore as 3D', async () => {
      const mixed = await restore(
        await projectArchive((_p, _t, _a, _m, first) => toPointClouds(first), pointClouds('task_0/')),
      );
      expect(mixed.error).toMatchObject({ code: 'BACKUP_PROJECT_MIXED_DIMENSIONS', status: 400 });
      expect(mixed.error?.message).toContain('(task_1/) of the project backup is 2D');
      expect(mixed.writes).toEqual([]);
      const both = (_p: Json, _t: Json, _a: Json[], m: Json[], first: Json[]) => {
        toPointClouds(m);
        toPointClouds(first);
      };
      const cloud = await restore(
        await projectArchive(both, [...pointClouds('task_0/'), ...pointClouds('task_1/')]),
      );
      expect(cloud.error).toBeUndefined();
      const tasks = await fx.catalog.tasks.list(fx.actor, {
        filters: { project_id: String(cloud.result?.id) },
      } as never);
      expect(tasks.results.map((t) => t.dimension)).toEqual(['3d', '3d']);
    });
  });

  describe('a task backup restored into an existing project (CVAT: its tasks share one dimension)', () => {
    const newProject = (name: string) =>
      fx.catalog.projects.create(fx.actor, { name, labels: projectLabelInputs() });
    const tasksOf = async (projectId: number) =>
      (await fx.catalog.tasks.list(fx.actor, { filters: { project_id: String(projectId) } } as never))
        .results;

    it('a 3D task into a project of 2D tasks → BACKUP_PROJECT_DIMENSION_MISMATCH, nothing written', async () => {
      const project = await newProject('flat');
      const flat = await restore(await taskArchive(), { request: { projectId: project.id } });
      expect(flat.error).toBeUndefined();
      const cloud = await restore(await pointCloudTaskArchive(), { request: { projectId: project.id } });
      expect(cloud.error).toMatchObject({ code: 'BACKUP_PROJECT_DIMENSION_MISMATCH', status: 400 });
      expect(cloud.error?.message).toBe(
        `Task "bent" of the backup is 3D, but project "flat" (#${project.id}) holds 2D tasks: the tasks of a project are all 2D or all 3D, and CVAT refuses this too. Restore the task on its own, or into a project of 3D tasks (or one without tasks).`,
      );
      expect(cloud.writes).toEqual([]);
      expect(cloud.left).toEqual([]);
      expect((await tasksOf(project.id)).map((t) => [t.id, t.dimension])).toEqual([[flat.result?.id, '2d']]);
    });

    it('a 3D task into a project without tasks restores as 3D; then a 2D one is refused', async () => {
      const project = await newProject('empty');
      const cloud = await restore(await pointCloudTaskArchive(), { request: { projectId: project.id } });
      expect(cloud.error).toBeUndefined();
      expect(cloud.left).toHaveLength(3);
      expect((await tasksOf(project.id)).map((t) => [t.id, t.dimension])).toEqual([[cloud.result?.id, '3d']]);
      expect((await fx.catalog.projects.get(fx.actor, project.id))?.dimension).toBe('3d');
      const flat = await restore(await taskArchive(), { request: { projectId: project.id } });
      expect(flat.error).toMatchObject({ code: 'BACKUP_PROJECT_DIMENSION_MISMATCH', status: 400 });
      expect(flat.error?.message).toContain(`is 2D, but project "empty" (#${project.id}) holds 3D tasks`);
      expect(flat.writes).toEqual([]);
      expect(await tasksOf(project.id)).toHaveLength(1);
    });

    it('a 2D task into a project of 2D tasks restores beside them', async () => {
      const project = await newProject('flat too');
      const first = await restore(await taskArchive(), { request: { projectId: project.id } });
      const second = await restore(await taskArchive(), { request: { projectId: project.id } });
      expect([first.error, second.error]).toEqual([undefined, undefined]);
      expect(second.left).toHaveLength(3);
      const tasks = await tasksOf(project.id);
      expect(tasks.map((t) => [t.id, t.dimension]).sort()).toEqual(
        [
          [first.result?.id, '2d'],
          [second.result?.id, '2d'],
        ].sort(),
      );
    });

    it('a 2D task that joined the project during the media copy → refused, copied media removed', async () => {
      const project = await newProject('joined meanwhile');
      const archive = await openBackup(new BufferSource(await taskArchive()));
      if (archive.kind !== 'task') throw new Error('expected a task backup');
      const deps = { catalog: fx.catalog, localMedia: media };
      const joinFlat = () =>
        importTask(deps, archive.task, {
          userId: fx.actor.id,
          importRequestId: `refusal-${++n}`,
          projectId: project.id,
        });
      const cloud = await restore(await pointCloudTaskArchive(), {
        request: { projectId: project.id },
        afterCopy: { files: 3, run: joinFlat },
      });
      await archive.close();
      expect(cloud.error).toMatchObject({ code: 'BACKUP_PROJECT_DIMENSION_MISMATCH', status: 400 });
      expect(cloud.writes).toHaveLength(3);
      expect(cloud.left.filter((f) => f.endsWith('.pcd'))).toEqual([]);
      expect((await tasksOf(project.id)).map((t) => t.dimension)).toEqual(['2d']);
    });
  });

  it('video task: a video of width -1 in the manifest → CATALOG_INVALID_VALUE, nothing written', async () => {
    const manifest = videoManifest({ name: 'clip.mp4', length: 20, resolution: [-1, 360] });
    const { error, writes, left } = await restore(await zipOf(cvatEntries({ manifest })));
    expect(error).toMatchObject({ code: 'CATALOG_INVALID_VALUE', status: 400 });
    expect(error?.message).toContain('video.width');
    expect(writes).toEqual([]);
    expect(left).toEqual([]);
  });

  it('names the job of the backup and the object in an annotation refusal', async () => {
    const { error } = await restore(await taskArchive(shapeIn(1, { ...rectangle(2), rotation: 361 })));
    expect(error?.message).toBe(
      'Annotation shape #1 of job 1 of annotations.json is invalid: rotation must be within [0, 360]',
    );
  });

  describe('a guide asset over the catalog limit (the catalog setting maxAssetBytes)', () => {
    const withGuide: Array<[string, Buffer | string]> = [
      ['annotation_guide.md', 'see ![x](assets/x.png)'],
      ['assets/x.png', Buffer.alloc(64, 7)],
    ];
    const strict = () => new PgCatalog(fx.pool, { credentialsKey: randomBytes(32), maxAssetBytes: 16 });

    it('a NUL character in the guide → CATALOG_INVALID_VALUE, nothing written', async () => {
      const guide: Array<[string, string]> = [['annotation_guide.md', 'see\u0000']];
      const { error, writes, left } = await restore(await taskArchive(undefined, guide));
      expect(error).toMatchObject({ code: 'CATALOG_INVALID_VALUE', status: 400 });
      expect(writes).toEqual([]);
      expect(left).toEqual([]);
    });

    it('an asset CVAT does not keep (an SVG) → BACKUP_GUIDE_ASSET_UNSUPPORTED, nothing written', async () => {
      const svg: Array<[string, string]> = [
        ['annotation_guide.md', 'see ![x](assets/x.png) and ![y](assets/y.svg)'],
        ['assets/x.png', 'png'],
        ['assets/y.svg', '<svg/>'],
      ];
      const { error, writes, left } = await restore(await taskArchive(undefined, svg));
      expect(error).toMatchObject({ code: 'BACKUP_GUIDE_ASSET_UNSUPPORTED', status: 400 });
      expect(error?.message).toContain('assets/y.svg');
      expect(writes).toEqual([]);
      expect(left).toEqual([]);
    });

    it("more than 150 assets (CVAT's limit per guide) → BACKUP_GUIDE_TOO_MANY_ASSETS, nothing written", async () => {
      const many: Array<[string, string]> = [['annotation_guide.md', 'many']];
      for (let i = 0; i <= 150; i++) many.push([`task_1/assets/a${i}.png`, 'png']);
      many[0] = ['task_1/annotation_guide.md', 'many'];
      const { error, writes, left } = await restore(await projectArchive(undefined, many));
      expect(error).toMatchObject({ code: 'BACKUP_GUIDE_TOO_MANY_ASSETS', status: 400 });
      expect(error?.message).toContain('has 151 assets under task_1/assets/');
      expect(writes).toEqual([]);
      expect(left).toEqual([]);
    });

    for (const [kind, archive] of [
      ['task', () => taskArchive(undefined, withGuide)],
      ['project', () => projectArchive(undefined, withGuide)],
    ] as const) {
      it(`${kind}: CATALOG_ASSET_TOO_LARGE (413), nothing written`, async () => {
        const { error, writes, left } = await restore(await archive(), { catalog: strict() });
        expect(error).toMatchObject({ code: 'CATALOG_ASSET_TOO_LARGE', status: 413 });
        expect(writes).toEqual([]);
        expect(left).toEqual([]);
      });
    }
  });

  describe('a transaction that fails after the media copy', () => {
    // What no check can see coming: the database changing while the media are copied.
    it('removes the media it copied (task: its project was deleted meanwhile)', async () => {
      const project = await fx.catalog.projects.create(fx.actor, {
        name: 'gone soon',
        labels: projectLabelInputs(),
      });
      const { error, writes, left } = await restore(await taskArchive(), {
        request: { projectId: project.id },
        afterCopy: { files: 3, run: () => fx.catalog.projects.delete(fx.actor, project.id) },
      });
      expect(error).toMatchObject({ code: 'CATALOG_REFERENCE_NOT_FOUND' });
      expect(writes).toHaveLength(3);
      expect(left).toEqual([]);
    });

    it('removes the media of every task it copied (project: its owner was deleted meanwhile)', async () => {
      const owner = await fx.catalog.users.create({ username: `gone${++n}`, password: 'secret-pass' });
      const { error, writes, left } = await restore(await projectArchive(), {
        request: { userId: owner.id },
        afterCopy: { files: 6, run: () => fx.catalog.users.delete(owner.id) },
      });
      expect(error).toMatchObject({ code: 'CATALOG_REFERENCE_NOT_FOUND' });
      expect(writes).toHaveLength(6);
      expect(left).toEqual([]);
    });

    it('keeps media that a committed attempt of the same request owns', async () => {
      const importRequestId = `refusal-${++n}`;
      const bytes = await taskArchive();
      const first = await restore(bytes, { request: { importRequestId } });
      expect(first.result?.created).toBe(true);
      const archive = await openBackup(new BufferSource(bytes));
      if (archive.kind !== 'task') throw new Error('expected a task backup');
      const prefix = taskMediaPrefix({ importRequestId }, archive.task);
      await archive.close();
      const deps = { catalog: fx.catalog, localMedia: media };
      const owned = (await filesUnder()).filter((f) => f.startsWith(prefix));
      expect(owned).toHaveLength(3);
      await removeUncommittedMedia(deps, importRequestId, [prefix], (tx) =>
        tx.tasks.findByImportRequestId(importRequestId),
      );
      expect((await filesUnder()).filter((f) => f.startsWith(prefix))).toEqual(owned);
      // The same files with no committed owner go.
      await removeUncommittedMedia(deps, importRequestId, [prefix], async () => null);
      expect((await filesUnder()).filter((f) => f.startsWith(prefix))).toEqual([]);
    });
  });
});
