import { isAppError } from '@cvat-backup/common';
import type {
  JobAnnotations,
  ShapeInput,
  TagInput,
  TrackInput,
} from '../src/repositories/annotation.repository.js';
import type { Actor } from '../src/repositories/common.types.js';
import type { JobRecord } from '../src/repositories/job.repository.js';
import type { LabelRecord } from '../src/repositories/label.repository.js';
import { openTestCatalog, seedActor, type TestCatalog } from './catalog-fixture.js';

/** A project with rectangle, skeleton and tag labels, a task of 20 frames, two jobs and a GT job. */
export interface AnnotationFixture {
  t: TestCatalog;
  owner: Actor;
  projectId: number;
  taskId: number;
  jobs: JobRecord[];
  car: LabelRecord;
  person: LabelRecord;
  scene: LabelRecord;
}

export async function openAnnotationFixture(): Promise<AnnotationFixture> {
  const t = await openTestCatalog();
  const owner = await seedActor(t.catalog);
  const project = await t.catalog.projects.create(owner, {
    name: 'annotations',
    labels: [
      {
        name: 'car',
        type: 'rectangle',
        attributes: [{ name: 'color', input_type: 'select', values: ['red', 'blue'] }],
      },
      {
        name: 'person',
        type: 'skeleton',
        svg: '<circle data-label-name="nose"/><circle data-label-name="eye"/>',
        sublabels: [
          { name: 'nose', type: 'points', attributes: [{ name: 'visible', input_type: 'checkbox' }] },
          { name: 'eye', type: 'points' },
        ],
      },
      { name: 'scene', type: 'tag', attributes: [{ name: 'weather', input_type: 'text', mutable: true }] },
    ],
  });
  const [car, person, scene] = (await t.catalog.labels.tree({ projectId: project.id })) as [
    LabelRecord,
    LabelRecord,
    LabelRecord,
  ];
  const task = await t.catalog.tasks.create(owner, {
    name: 'task',
    project_id: project.id,
    segment_size: 10,
  });
  await t.catalog.data.create(task.id, { image_quality: 70, size: 20 });
  const jobs = await t.catalog.jobs.createSegments(task.id, [
    { start_frame: 0, stop_frame: 9 },
    { start_frame: 10, stop_frame: 19 },
    { start_frame: 2, stop_frame: 5, frames: [2, 5], jobs: [{ type: 'ground_truth' }] },
  ]);
  return { t, owner, projectId: project.id, taskId: task.id, jobs, car, person, scene };
}

export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

export async function readAll(data: JobAnnotations) {
  return {
    version: data.version,
    tags: await collect(data.tags()),
    shapes: await collect(data.shapes()),
    tracks: await collect(data.tracks()),
  };
}

/** How a write ended: `resolved`, or the coded error it threw. */
export const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (isAppError(e) ? `${e.code}: ${e.message}` : String(e)),
  );

/** One of every kind of annotation on the fixture's labels (shared by the annotation suites). */
export function sample({ car, person, scene }: Pick<AnnotationFixture, 'car' | 'person' | 'scene'>) {
  const [nose, eye] = person.sublabels as [LabelRecord['sublabels'][0], LabelRecord['sublabels'][0]];
  const colorId = car.attributes[0]!.id;
  const tags: TagInput[] = [
    {
      label_id: scene.id,
      frame: 0,
      attributes: [{ spec_id: scene.attributes[0]!.id, value: 'rain\n"wet"\t\\' }],
    },
  ];
  const shapes: ShapeInput[] = [
    {
      label_id: car.id,
      type: 'rectangle',
      frame: 1,
      points: [10, 20.5, 110.25, 220],
      attributes: [{ spec_id: colorId, value: 'red' }],
      group: 3,
      z_order: 2,
      rotation: 45.5,
      occluded: true,
      source: 'auto',
      score: 0.75,
    },
    { label_id: car.id, type: 'polygon', frame: 2, points: [0, 0, 5, 0, 5, 5] },
    { label_id: car.id, type: 'mask', frame: 3, points: [1, 2, 3, 0, 0, 9, 9] },
    {
      label_id: person.id,
      type: 'skeleton',
      frame: 4,
      points: [],
      elements: [
        {
          label_id: nose.id,
          type: 'points',
          frame: 4,
          points: [20, 30],
          attributes: [{ spec_id: nose.attributes[0]!.id, value: 'true' }],
        },
        { label_id: eye.id, type: 'points', frame: 4, points: [25, 28], outside: true },
      ],
    },
  ];
  const tracks: TrackInput[] = [
    {
      label_id: car.id,
      frame: 5,
      attributes: [{ spec_id: colorId, value: 'blue' }],
      shapes: [
        { type: 'rectangle', frame: 5, points: [1, 2, 3, 4] },
        {
          type: 'rectangle',
          frame: 8,
          points: [2, 3, 4, 5],
          outside: true,
          attributes: [{ spec_id: colorId, value: 'red' }],
        },
      ],
    },
    {
      label_id: person.id,
      frame: 6,
      shapes: [{ type: 'skeleton', frame: 6, points: [] }],
      elements: [
        {
          label_id: nose.id,
          frame: 6,
          shapes: [
            { type: 'points', frame: 6, points: [1, 1] },
            { type: 'points', frame: 7, points: [2, 2] },
          ],
        },
        { label_id: eye.id, frame: 6, shapes: [{ type: 'points', frame: 6, points: [3, 3] }] },
      ],
    },
  ];
  return { tags, shapes, tracks };
}
