import type { JobAnnotations } from '../src/repositories/annotation.repository.js';
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
