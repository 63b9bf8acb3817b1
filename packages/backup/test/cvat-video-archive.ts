import { videoBytes, videoManifest } from './video-fixture.js';

/**
 * A video task backup as 2022-era CVAT wrote it, to restore as is or broken on purpose: the video
 * clip.mp4 (20 frames, 640×360) with its manifest and the index.json CVAT kept beside it, task.json
 * in that era's key order (frames 1, 3, …, 19: start 1, stop 19, step 2; two jobs of 5 frames), and
 * annotations.json with a track (frames 0 and 4, outside at 4) and a tag on frame 7.
 */

/** task.json as 2022-era CVAT wrote it for a video task (key order of that era, job keys merged in). */
export function cvatTaskJson(data: Record<string, unknown> = {}, jobs?: object[]): string {
  return JSON.stringify({
    name: 'street (CVAT 2022)',
    bug_tracker: '',
    status: 'annotation',
    labels: [{ name: 'car', color: '#fa3253', attributes: [] }],
    subset: '',
    version: '1.0',
    data: {
      chunk_size: 36,
      image_quality: 70,
      start_frame: 1,
      stop_frame: 19,
      frame_filter: 'step=2',
      storage_method: 'cache',
      storage: 'local',
      sorting_method: 'lexicographical',
      chunk_type: 'video',
      ...data,
    },
    jobs: jobs ?? [
      { start_frame: 0, stop_frame: 4, status: 'annotation' },
      { start_frame: 5, stop_frame: 9, status: 'completed' },
    ],
  });
}

const CVAT_ANNOTATIONS = JSON.stringify([
  {
    version: 0,
    tags: [],
    shapes: [],
    tracks: [
      {
        frame: 0,
        group: 0,
        source: 'manual',
        shapes: [
          {
            type: 'rectangle',
            occluded: false,
            outside: false,
            z_order: 0,
            rotation: 0.0,
            points: [1.0, 2.0, 30.0, 40.0],
            frame: 0,
            attributes: [],
          },
          {
            type: 'rectangle',
            occluded: false,
            outside: true,
            z_order: 0,
            rotation: 0.0,
            points: [1.0, 2.0, 30.0, 40.0],
            frame: 4,
            attributes: [],
          },
        ],
        attributes: [],
        label: 'car',
      },
    ],
  },
  {
    version: 0,
    tags: [{ frame: 7, group: 0, source: 'manual', attributes: [], label: 'car' }],
    shapes: [],
    tracks: [],
  },
]);

/** data/index.json as older CVAT left it beside the manifest: byte offsets of the lines. */
function indexJson(lines: string[]): string {
  const offsets: Record<string, number> = {};
  let at = 0;
  lines.forEach((line, i) => {
    offsets[String(i)] = at;
    at += Buffer.byteLength(line) + 1;
  });
  return JSON.stringify(offsets);
}

export interface CvatArchive {
  media?: Array<[string, string | Buffer]>;
  /** null: no manifest at all. */
  manifest?: string[] | null;
  task?: string;
}

/** A video task backup as CVAT writes it: media, manifest, index.json, task.json, annotations.json. */
export function cvatEntries(archive: CvatArchive = {}): Array<[string, string | Buffer]> {
  const manifest =
    archive.manifest === undefined ? videoManifest({ name: 'clip.mp4', length: 20 }) : archive.manifest;
  const media = archive.media ?? [['clip.mp4', videoBytes]];
  return [
    ...media.map(([name, bytes]): [string, string | Buffer] => [`data/${name}`, bytes]),
    ...(manifest
      ? ([
          ['data/manifest.jsonl', `${manifest.join('\n')}\n`],
          ['data/index.json', indexJson(manifest)],
        ] as Array<[string, string]>)
      : []),
    ['task.json', archive.task ?? cvatTaskJson()],
    ['annotations.json', CVAT_ANNOTATIONS],
  ];
}
