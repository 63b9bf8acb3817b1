/**
 * Small task and project backups for restore tests: three JPEG-like images, labels "car" and a
 * skeleton "walker", jobs [0, 1], [2, 2] and a ground-truth job; `bend` changes one value.
 */
import { PassThrough } from 'node:stream';
import type { LabelInput } from '@cvat-backup/catalog';
import { ZipWriter } from '@cvat-backup/format';

export type Json = Record<string, unknown>;

export const image = (i: number) => Buffer.from(`\xff\xd8 frame ${i} ${'x'.repeat(50 + i)}`, 'latin1');

/** data/manifest.jsonl's images, one object per line after the version and type lines. */
export const manifestImages = (): Json[] =>
  [0, 1, 2].map((i) => ({ name: `images/f${i}`, extension: '.jpg', width: 8, height: 6 }));

export const manifestOf = (images: Json[]) =>
  `${['{"version":"1.1"}', '{"type":"images"}', ...images.map((m) => JSON.stringify(m))].join('\n')}\n`;

/** Makes manifest lines name point clouds (.pcd): the task is 3D (pair with `pointClouds`). */
export const toPointClouds = (manifest: Json[]): void => {
  for (const line of manifest) line['extension'] = '.pcd';
};

/** The .pcd files of `toPointClouds`' manifest (CVAT converts .bin to .pcd: a backup holds .pcd). */
export const pointClouds = (prefix = ''): Array<[string, string]> =>
  [0, 1, 2].map((i) => [`${prefix}data/images/f${i}.pcd`, 'VERSION 0.7\nDATA ascii\n']);

/** A task backup of three point clouds and no images (a 3D task), otherwise as `taskArchive`. */
export function pointCloudTaskArchive(): Promise<Buffer> {
  const manifest = manifestImages();
  toPointClouds(manifest);
  const entries = taskEntries('', taskJson(), annotationsJson(), manifest);
  return zipOf([...entries.filter(([name]) => !name.endsWith('.jpg')), ...pointClouds()]);
}

/** Labels: a rectangle "car" with a text attribute, a skeleton "walker" with one sublabel "nose". */
export function labels(): Json[] {
  return [
    {
      name: 'car',
      color: '#fa3253',
      type: 'rectangle',
      attributes: [{ name: 'colour', mutable: false, input_type: 'text', default_value: '', values: [] }],
    },
    {
      name: 'walker',
      color: '#aa0000',
      type: 'skeleton',
      attributes: [],
      sublabels: [{ name: 'nose', color: '#d12345', type: 'points', attributes: [] }],
      svg: '<circle data-label-name="nose"></circle>',
    },
  ];
}

/** The labels of `labels()` as a project created in the catalog holds them (a task fits it). */
export const projectLabelInputs = (): LabelInput[] => [
  { name: 'car', attributes: [{ name: 'colour', input_type: 'text' }] },
  { name: 'walker', type: 'skeleton', sublabels: [{ name: 'nose' }] },
];

/** task.json of three images, jobs [0, 1] and [2, 2] and a ground-truth job on frames 0 and 2. */
export function taskJson(): Json {
  return {
    name: 'bent',
    bug_tracker: '',
    status: 'annotation',
    subset: '',
    version: '1.0',
    labels: labels(),
    data: {
      chunk_size: 36,
      image_quality: 70,
      start_frame: 0,
      stop_frame: 2,
      storage_method: 'cache',
      storage: 'local',
      sorting_method: 'lexicographical',
      chunk_type: 'imageset',
    },
    jobs: [
      { start_frame: 0, stop_frame: 1, status: 'annotation', type: 'annotation' },
      { start_frame: 2, stop_frame: 2, status: 'annotation', type: 'annotation' },
      { start_frame: 0, stop_frame: 2, status: 'annotation', type: 'ground_truth', frames: [0, 2] },
    ],
  };
}

export const rectangle = (frame: number): Json => ({
  type: 'rectangle',
  occluded: false,
  outside: false,
  z_order: 0,
  rotation: 0,
  points: [1, 2, 3, 4],
  frame,
  group: 0,
  source: 'manual',
  attributes: [{ name: 'colour', value: 'red' }],
  label: 'car',
});

export const skeleton = (frame: number): Json => ({
  ...rectangle(frame),
  type: 'skeleton',
  points: [],
  attributes: [],
  label: 'walker',
  elements: [{ ...rectangle(frame), type: 'points', points: [5, 5], attributes: [], label: 'nose' }],
});

export const track = (frames: number[]): Json => ({
  frame: frames[0],
  group: 0,
  source: 'manual',
  attributes: [],
  label: 'car',
  shapes: frames.map((frame) => {
    const { group: _g, source: _s, label: _l, ...shape } = rectangle(frame);
    return { ...shape, attributes: [] };
  }),
});

/** annotations.json: valid objects in every job. */
export function annotationsJson(): Json[] {
  return [
    {
      version: 0,
      tags: [{ frame: 0, group: 0, source: 'manual', attributes: [], label: 'car' }],
      shapes: [rectangle(1), skeleton(0)],
      tracks: [track([0, 1])],
    },
    { version: 0, tags: [], shapes: [rectangle(2)], tracks: [] },
    { version: 0, tags: [], shapes: [rectangle(2)], tracks: [] },
  ];
}

export async function zipOf(entries: Array<[string, Buffer | string]>): Promise<Buffer> {
  const parts: Buffer[] = [];
  const out = new PassThrough().on('data', (c: Buffer) => parts.push(c));
  const zip = new ZipWriter(out);
  for (const [name, data] of entries) await zip.addBuffer(name, Buffer.from(data));
  await zip.finish();
  return Buffer.concat(parts);
}

export const taskEntries = (
  prefix: string,
  task: Json,
  annotations: Json[],
  manifest = manifestImages(),
): Array<[string, Buffer | string]> => [
  ...[0, 1, 2].map((i): [string, Buffer] => [`${prefix}data/images/f${i}.jpg`, image(i)]),
  [`${prefix}data/manifest.jsonl`, manifestOf(manifest)],
  [`${prefix}task.json`, JSON.stringify(task)],
  [`${prefix}annotations.json`, JSON.stringify(annotations)],
];

/** A task backup; `bend` changes task.json and annotations.json before they are written. */
export function taskArchive(
  bend: (task: Json, annotations: Json[], manifest: Json[]) => void = () => {},
  extra: Array<[string, Buffer | string]> = [],
): Promise<Buffer> {
  const task = taskJson();
  const annotations = annotationsJson();
  const manifest = manifestImages();
  bend(task, annotations, manifest);
  return zipOf([...taskEntries('', task, annotations, manifest), ...extra]);
}

/**
 * A project backup of two tasks (the labels in project.json); `bend` changes project.json, the
 * second task's task.json, annotations.json and manifest lines, and the first task's manifest lines.
 */
export function projectArchive(
  bend: (
    project: Json,
    task: Json,
    annotations: Json[],
    manifest: Json[],
    firstManifest: Json[],
  ) => void = () => {},
  extra: Array<[string, Buffer | string]> = [],
): Promise<Buffer> {
  const project: Json = {
    name: 'bent project',
    bug_tracker: '',
    status: 'annotation',
    version: '1.0',
    labels: labels(),
  };
  const task = { ...taskJson(), labels: [] };
  const annotations = annotationsJson();
  const [manifest, firstManifest] = [manifestImages(), manifestImages()];
  bend(project, task, annotations, manifest, firstManifest);
  return zipOf([
    ['project.json', JSON.stringify(project)],
    ...taskEntries('task_0/', { ...taskJson(), labels: [] }, annotationsJson(), firstManifest),
    ...taskEntries('task_1/', task, annotations, manifest),
    ...extra,
  ]);
}

export const long = (n: number) => 'x'.repeat(n);
export const job = (annotations: Json[], i: number) =>
  annotations[i] as { tags: Json[]; shapes: Json[]; tracks: Json[] };
export const jobs = (task: Json) => task['jobs'] as Json[];
export const data = (task: Json) => task['data'] as Json;
export const labelsOf = (owner: Json) => owner['labels'] as Json[];
export const attributesOf = (owner: Json) => labelsOf(owner)[0]!['attributes'] as Json[];
export const set = (o: Json, key: string, value: unknown) => {
  o[key] = value;
};

/**
 * Makes the task a honeypot (gt_pool) task as CVAT backs one up: f2 is the validation frame, each
 * annotation job shows it once more (a placeholder), the ground-truth job holds it at frame 4, and
 * data/manifest.jsonl lists the frames' files in `order` (one line per frame: 0, 2, 1, 2, 2).
 */
export function honeypot(order = [0, 2, 1, 2, 2]) {
  return (task: Json, annotations: Json[], manifest: Json[]): void => {
    const file = (i: number) => `images/f${i}.jpg`;
    Object.assign(data(task), {
      stop_frame: 4,
      sorting_method: 'random',
      custom_segments: true,
      validation_layout: { mode: 'gt_pool', frames_per_job_count: 1, frames: [file(2)] },
    });
    task['jobs'] = [
      { start_frame: 0, stop_frame: 1, status: 'annotation', type: 'annotation', files: [file(0), file(2)] },
      { start_frame: 2, stop_frame: 3, status: 'annotation', type: 'annotation', files: [file(1), file(2)] },
      {
        start_frame: 4,
        stop_frame: 4,
        status: 'annotation',
        type: 'ground_truth',
        frames: [4],
        files: [file(2)],
      },
    ];
    const lines = manifest.splice(0);
    manifest.push(...order.map((i) => ({ ...lines[i] })));
    annotations.splice(
      0,
      3,
      { version: 0, tags: [], shapes: [rectangle(1)], tracks: [] },
      { version: 0, tags: [], shapes: [rectangle(2)], tracks: [] },
      { version: 0, tags: [], shapes: [rectangle(4)], tracks: [] },
    );
  };
}
