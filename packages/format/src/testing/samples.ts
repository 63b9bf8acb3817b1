/**
 * Sample tasks of every era of the format, built in code: the newest shape as writer input, and
 * the 2021 and 2022–2023 shapes as raw JSON (what CVAT of that time wrote), with the normalised
 * form the reader must turn them into.
 */
import { Readable } from 'node:stream';
import type { MediaInput, TaskArchiveInput } from '../archive/archive-input.js';
import type { JobAnnotationsInput } from '../json/annotations-writer.js';
import type { Shape, Tag, Track } from '../schema/annotations.schema.js';
import type { Label } from '../schema/label.schema.js';
import type { TaskMeta } from '../schema/task-meta.schema.js';

export const SKELETON_SVG =
  '<line x1="30" y1="30" x2="60" y2="60" data-type="edge" data-node-from="1" data-node-to="2"></line>' +
  '<circle r="1.5" data-type="element node" data-element-id="1" data-node-id="1" data-label-name="nose" cx="30" cy="30"></circle>' +
  '<circle r="1.5" data-type="element node" data-element-id="2" data-node-id="2" data-label-name="œil" cx="60" cy="60"></circle>';

export const newestLabels: Label[] = [
  {
    name: 'car',
    color: '#fa3253',
    attributes: [
      { name: 'model', mutable: false, input_type: 'select', default_value: 'a', values: ['a', 'b'] },
      { name: 'parked', mutable: true, input_type: 'checkbox', default_value: 'false', values: ['false'] },
    ],
    type: 'any',
    sublabels: [],
  },
  {
    name: 'vélo 🚲',
    color: '#33ddff',
    attributes: [{ name: 'état', mutable: false, input_type: 'text', default_value: '', values: [] }],
    type: 'bbox',
    sublabels: [],
  },
  {
    name: 'person',
    color: '#b83df5',
    attributes: [],
    type: 'skeleton',
    sublabels: [
      { name: 'nose', color: '#d12345', attributes: [], type: 'points' },
      {
        name: 'œil',
        color: '#123456',
        attributes: [
          { name: 'visible', mutable: true, input_type: 'checkbox', default_value: 'true', values: ['true'] },
        ],
        type: 'points',
      },
    ],
    svg: SKELETON_SVG,
  },
];

export function bytesOf(text: string | Buffer): MediaInput['open'] {
  return async () => Readable.from([typeof text === 'string' ? Buffer.from(text) : text]);
}

export function mediaFiles(): MediaInput[] {
  const mtime = new Date(2024, 0, 2, 3, 4, 6);
  const jpeg = (seed: number) => Buffer.alloc(3000 + seed * 17, seed);
  const manifest =
    '{"version":"1.1"}\n{"type":"images"}\n' +
    [0, 1, 2, 3, 4, 5]
      .map(
        (i) =>
          `{"name":"images/img_${i}","extension":".jpg","width":64,"height":48,"meta":{"related_images":[]},"checksum":"c${i}"}`,
      )
      .join('\n') +
    '\n';
  return [
    ...[0, 1, 2, 3, 4, 5].map((i) => ({
      path: `images/img_${i}.jpg`,
      size: jpeg(i).length,
      mtime,
      open: bytesOf(jpeg(i)),
    })),
    { path: 'images/related_images/img_0_jpg/ctx 1 ü.png', mtime, open: bytesOf('context image') },
    { path: 'manifest.jsonl', size: Buffer.byteLength(manifest), mtime, open: bytesOf(manifest) },
  ];
}

const shape = (frame: number, label: string, extra: Partial<Shape> = {}): Shape => ({
  type: 'rectangle',
  occluded: false,
  outside: false,
  z_order: 0,
  rotation: 0,
  points: [10, 10.5, 50.25, 60],
  frame,
  group: 0,
  source: 'manual',
  attributes: [],
  label,
  ...extra,
});

export const newestAnnotations: Array<{ version: number; tags: Tag[]; shapes: Shape[]; tracks: Track[] }> = [
  {
    version: 0,
    tags: [{ frame: 0, group: 0, source: 'manual', attributes: [], label: 'car' }],
    shapes: [
      shape(0, 'car', { attributes: [{ value: 'b', name: 'model' }] }),
      shape(1, 'vélo 🚲', {
        rotation: 12.5,
        attributes: [{ value: 'rouillé — ✓', name: 'état' }],
        group: null,
      }),
      shape(2, 'person', {
        type: 'skeleton',
        points: [],
        elements: [
          shape(2, 'nose', { type: 'points', points: [20, 30] }),
          shape(2, 'œil', {
            type: 'points',
            points: [40.125, 50],
            outside: true,
            attributes: [{ value: 'false', name: 'visible' }],
          }),
        ],
      }),
    ],
    tracks: [
      {
        frame: 0,
        group: 1,
        source: 'auto',
        shapes: [
          {
            type: 'rectangle',
            occluded: false,
            outside: false,
            z_order: 1,
            rotation: 0,
            points: [1, 2, 3, 4],
            frame: 0,
            attributes: [{ value: 'true', name: 'parked' }],
          },
          {
            type: 'rectangle',
            occluded: true,
            outside: true,
            z_order: 1,
            rotation: 0,
            points: [1, 2, 3, 4],
            frame: 2,
            attributes: [],
          },
        ],
        attributes: [{ value: 'a', name: 'model' }],
        label: 'car',
      },
      {
        frame: 1,
        group: 0,
        source: 'manual',
        shapes: [
          {
            type: 'skeleton',
            occluded: false,
            outside: false,
            z_order: 0,
            rotation: 0,
            points: [],
            frame: 1,
            attributes: [],
          },
        ],
        attributes: [],
        elements: [
          {
            frame: 1,
            group: 0,
            source: 'manual',
            shapes: [
              {
                type: 'points',
                occluded: false,
                outside: false,
                z_order: 0,
                rotation: 0,
                points: [5, 6],
                frame: 1,
                attributes: [],
              },
            ],
            attributes: [],
            label: 'nose',
          },
        ],
        label: 'person',
      },
    ],
  },
  { version: 0, tags: [], shapes: [shape(4, 'car')], tracks: [] },
  { version: 0, tags: [], shapes: [shape(1, 'car', { source: 'consensus' })], tracks: [] },
  { version: 0, tags: [], shapes: [shape(3, 'car', { source: 'file' })], tracks: [] },
];

/** Newest era: skeletons, GT job with frames, custom segments with files, honeypot layout, consensus. */
export function newestTask(): TaskArchiveInput & { media: MediaInput[]; annotations: JobAnnotationsInput[] } {
  return {
    task: {
      name: 'Rues de Montréal — ünïcødé',
      bug_tracker: 'https://bugs.example/1',
      status: 'annotation',
      subset: 'train',
      labels: newestLabels,
      consensus_replicas: 1,
    },
    data: {
      chunk_size: 72,
      image_quality: 70,
      start_frame: 0,
      stop_frame: 5,
      storage_method: 'cache',
      sorting_method: 'lexicographical',
      chunk_type: 'imageset',
      deleted_frames: [5],
      custom_segments: true,
      validation_layout: {
        mode: 'gt_pool',
        frames_per_job_count: 1,
        frames: ['images/img_3.jpg', 'images/img_5.jpg'],
      },
      storage: 'local',
    },
    jobs: [
      {
        status: 'annotation',
        type: 'annotation',
        start_frame: 0,
        stop_frame: 2,
        files: ['images/img_0.jpg', 'images/img_1.jpg', 'images/img_2.jpg'],
      },
      {
        status: 'completed',
        type: 'annotation',
        start_frame: 3,
        stop_frame: 4,
        files: ['images/img_3.jpg', 'images/img_4.jpg'],
      },
      { status: 'validation', type: 'consensus_replica', start_frame: 0, stop_frame: 2 },
      {
        status: 'annotation',
        type: 'ground_truth',
        start_frame: 3,
        stop_frame: 5,
        frames: [3, 5],
        // The files of frames 3 and 5 as the manifest and job 1 have them (a restore checks).
        files: ['images/img_3.jpg', 'images/img_5.jpg'],
      },
    ],
    media: mediaFiles(),
    annotations: newestAnnotations,
    guide: {
      markdown: '# Guide\n\nSee ![car](/api/assets/8f1c-aa) and ![bike](/api/assets/77-bb) — merci.',
      assets: [
        { id: '8f1c-aa', filename: 'car.png', open: bytesOf('png-bytes') },
        { id: '77-bb', filename: 'vélo.jpg', open: bytesOf('jpg-bytes') },
      ],
    },
  };
}

/** The task.json a 2021 CVAT wrote (v1.5 task export / v2.0 backup). */
export const task2021Json = {
  name: 'old task',
  bug_tracker: '',
  status: 'annotation',
  subset: '',
  labels: [
    {
      name: 'car',
      color: '#fa3253',
      attributes: [
        { name: 'color', mutable: false, input_type: 'radio', default_value: 'red', values: ['red', 'blue'] },
      ],
    },
    { name: 'road', color: '#33ddff', attributes: [] },
  ],
  version: '1.0',
  data: {
    chunk_size: 36,
    image_quality: 50,
    start_frame: 0,
    stop_frame: 3,
    frame_filter: '',
    chunk_type: 'imageset',
    storage_method: 'file_system',
    storage: 'share',
  },
  jobs: [
    {
      start_frame: 0,
      stop_frame: 1,
      status: 'completed',
      reviews: [
        {
          estimated_quality: 4,
          status: 'accepted',
          issues: [{ frame: 0, position: [1, 2], comments: [{ message: 'ok' }] }],
        },
      ],
    },
    { start_frame: 2, stop_frame: 3, status: 'annotation', reviews: [] },
  ],
};

export const annotations2021Json = [
  {
    version: 3,
    tags: [{ id: 1, frame: 0, label_id: 9, group: 0, source: 'manual', attributes: [], label: 'road' }],
    shapes: [
      {
        id: 2,
        type: 'polygon',
        occluded: false,
        z_order: 0,
        points: [0, 0, 5, 5, 0, 5],
        frame: 1,
        group: 0,
        source: 'manual',
        attributes: [{ spec_id: 3, value: 'blue', name: 'color' }],
        label: 'car',
      },
    ],
    tracks: [],
  },
  {
    version: 0,
    tags: [],
    shapes: [],
    tracks: [
      {
        id: 5,
        frame: 2,
        group: 0,
        source: 'manual',
        shapes: [
          {
            type: 'rectangle',
            occluded: false,
            z_order: 0,
            points: [1, 1, 2, 2],
            frame: 2,
            outside: false,
            attributes: [],
          },
        ],
        attributes: [],
        label: 'road',
      },
    ],
  },
];

/** What the reader must make of the 2021 task.json. */
export const task2021Normalised: TaskMeta = {
  name: 'old task',
  bug_tracker: '',
  status: 'annotation',
  subset: '',
  labels: [
    {
      name: 'car',
      color: '#fa3253',
      attributes: [
        { name: 'color', mutable: false, input_type: 'radio', default_value: 'red', values: ['red', 'blue'] },
      ],
      type: 'any',
      sublabels: [],
    },
    { name: 'road', color: '#33ddff', attributes: [], type: 'any', sublabels: [] },
  ],
  version: '1.0',
  data: {
    chunk_size: 36,
    image_quality: 50,
    start_frame: 0,
    stop_frame: 3,
    storage_method: 'file_system',
    sorting_method: 'lexicographical',
    chunk_type: 'imageset',
    deleted_frames: [],
    storage: 'local',
  },
  jobs: [
    { status: 'completed', type: 'annotation', start_frame: 0, stop_frame: 1 },
    { status: 'annotation', type: 'annotation', start_frame: 2, stop_frame: 3 },
  ],
};

export const annotations2021Normalised: Array<{
  version: number;
  tags: Tag[];
  shapes: Shape[];
  tracks: Track[];
}> = [
  {
    version: 3,
    tags: [{ frame: 0, group: 0, source: 'manual', attributes: [], label: 'road' }],
    shapes: [
      {
        type: 'polygon',
        occluded: false,
        outside: false,
        z_order: 0,
        rotation: 0,
        points: [0, 0, 5, 5, 0, 5],
        frame: 1,
        group: 0,
        source: 'manual',
        attributes: [{ value: 'blue', name: 'color' }],
        label: 'car',
      },
    ],
    tracks: [],
  },
  {
    version: 0,
    tags: [],
    shapes: [],
    tracks: [
      {
        frame: 2,
        group: 0,
        source: 'manual',
        shapes: [
          {
            type: 'rectangle',
            occluded: false,
            outside: false,
            z_order: 0,
            rotation: 0,
            points: [1, 1, 2, 2],
            frame: 2,
            attributes: [],
          },
        ],
        attributes: [],
        label: 'road',
      },
    ],
  },
];

/** A 2022–2023 task.json: key order `status, labels, subset`, skeleton with svg, GT job. */
export const task2022Json = {
  name: 'test_backup_outdoor',
  bug_tracker: '',
  status: 'annotation',
  labels: [
    { name: 'plant', color: '#3df53d', attributes: [] },
    {
      name: 'walker',
      color: '#aa0000',
      attributes: [],
      type: 'skeleton',
      sublabels: [{ name: 'nose', color: '#d12345', attributes: [], type: 'points', has_parent: true }],
      svg: '<circle data-label-name="nose"></circle>',
      has_parent: false,
    },
  ],
  subset: '',
  version: '1.0',
  data: {
    chunk_size: 45,
    image_quality: 70,
    start_frame: 0,
    stop_frame: 9,
    storage_method: 'cache',
    storage: 'local',
    sorting_method: 'natural',
    chunk_type: 'imageset',
    deleted_frames: [2],
  },
  jobs: [
    { start_frame: 0, stop_frame: 9, status: 'annotation' },
    { start_frame: 0, stop_frame: 9, status: 'annotation', type: 'ground_truth', frames: [1, 4] },
  ],
};

export const task2022Normalised: TaskMeta = {
  name: 'test_backup_outdoor',
  bug_tracker: '',
  status: 'annotation',
  subset: '',
  labels: [
    { name: 'plant', color: '#3df53d', attributes: [], type: 'any', sublabels: [] },
    {
      name: 'walker',
      color: '#aa0000',
      attributes: [],
      type: 'skeleton',
      sublabels: [{ name: 'nose', color: '#d12345', attributes: [], type: 'points' }],
      svg: '<circle data-label-name="nose"></circle>',
    },
  ],
  version: '1.0',
  data: {
    chunk_size: 45,
    image_quality: 70,
    start_frame: 0,
    stop_frame: 9,
    storage_method: 'cache',
    sorting_method: 'natural',
    chunk_type: 'imageset',
    deleted_frames: [2],
    storage: 'local',
  },
  jobs: [
    { status: 'annotation', type: 'annotation', start_frame: 0, stop_frame: 9 },
    { status: 'annotation', type: 'ground_truth', start_frame: 0, stop_frame: 9, frames: [1, 4] },
  ],
};

export const annotations2022Json = [
  {
    version: 0,
    tags: [],
    shapes: [
      {
        type: 'skeleton',
        occluded: false,
        outside: false,
        z_order: 0,
        rotation: 0.0,
        points: [],
        frame: 0,
        group: 0,
        source: 'manual',
        attributes: [],
        elements: [
          {
            type: 'points',
            occluded: false,
            outside: false,
            z_order: 0,
            rotation: 0.0,
            points: [1.5, 2.5],
            frame: 0,
            group: 0,
            source: 'manual',
            attributes: [],
            label: 'nose',
          },
        ],
        label: 'walker',
      },
    ],
    tracks: [],
  },
  {
    version: 0,
    tags: [{ frame: 1, group: 0, source: 'manual', attributes: [], label: 'plant' }],
    shapes: [],
    tracks: [],
  },
];
