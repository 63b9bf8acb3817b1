import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Fixture } from './export-fixture.js';

/**
 * Bytes standing for a video: nothing here decodes video, so any bytes do. Larger than a zip read
 * chunk and not a multiple of one, so copies that drop or repeat a chunk show.
 */
export const videoBytes = (() => {
  const bytes = Buffer.alloc(300_013);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
  bytes.write('\0\0\0\x18ftypmp42', 0, 'latin1');
  return bytes;
})();

/** A video manifest as CVAT's VideoManifestManager writes it (compact JSON, one object a line). */
export function videoManifest(options: {
  name: string;
  length: number;
  resolution?: [number, number];
  keyFrames?: number[];
}): string[] {
  const [width, height] = options.resolution ?? [640, 360];
  return [
    '{"version":"1.1"}',
    '{"type":"video"}',
    JSON.stringify({
      properties: { name: options.name, resolution: [width, height], length: options.length },
    }),
    ...(options.keyFrames ?? [0, 10]).map((n) =>
      JSON.stringify({ number: n, pts: n * 512, checksum: `k${n}` }),
    ),
  ];
}

/**
 * A video task as CVAT would hold it after creation: one video (20 frames, 640×360) of which frames
 * 2, 4, …, 16 are the task (start 2, stop 16, step 2: 8 frames), two jobs of 4 frames, a track with
 * a keyframe and an outside frame, a shape and a tag.
 */
export async function createVideoTask(
  fx: Fixture,
  root: string,
  options: { name: string; projectId?: number },
): Promise<number> {
  const { catalog, actor } = fx;
  const task = await catalog.tasks.create(actor, {
    name: options.name,
    segment_size: 4,
    ...(options.projectId
      ? { project_id: options.projectId }
      : { labels: [{ name: 'car', type: 'rectangle', color: '#fa3253' }] }),
  });
  const prefix = `tasks/${task.id}/raw/`;
  await mkdir(path.join(root, prefix), { recursive: true });
  await writeFile(path.join(root, prefix, 'street.mp4'), videoBytes);
  await catalog.data.create(task.id, {
    image_quality: 70,
    chunk_size: 36,
    size: 8,
    start_frame: 2,
    stop_frame: 16,
    frame_filter: 'step=2',
    media_prefix: prefix,
    video: { path: 'street.mp4', width: 640, height: 360, byte_size: videoBytes.length },
    manifest: videoManifest({ name: 'street.mp4', length: 20 }),
  });
  const jobs = await catalog.jobs.createSegments(task.id, [
    {
      start_frame: 0,
      stop_frame: 3,
      jobs: [{ status: 'completed', stage: 'acceptance', state: 'completed' }],
    },
    { start_frame: 4, stop_frame: 7 },
  ]);
  const [car] = (await catalog.labels.treeOfTask(task.id)).filter((l) => l.name === 'car');
  await catalog.annotations.append(jobs[0]!.id, [
    {
      kind: 'track',
      value: {
        label_id: car!.id,
        frame: 0,
        shapes: [
          { type: 'rectangle', frame: 0, points: [10, 10, 50, 40] },
          { type: 'rectangle', frame: 2, points: [20, 12, 60, 42] },
          { type: 'rectangle', frame: 3, outside: true, points: [20, 12, 60, 42] },
        ],
      },
    },
    { kind: 'tag', value: { label_id: car!.id, frame: 1 } },
  ]);
  await catalog.annotations.append(jobs[1]!.id, [
    { kind: 'shape', value: { label_id: car!.id, type: 'rectangle', frame: 6, points: [1, 2, 3, 4] } },
  ]);
  return task.id;
}

// As CVAT's backup.py writes (ZipFile(path, "w"), stored entries): media with write()/writestr(),
// annotations.json streamed through zip.open(name, "w").
const CVAT_ZIP_WRITER = `
import base64, json, sys, zipfile
spec = json.load(sys.stdin)
with zipfile.ZipFile(spec["path"], "w") as z:
    for name, b64 in spec["entries"]:
        data = base64.b64decode(b64)
        if name.endswith("annotations.json"):
            with z.open(name, "w") as f:
                f.write(data)
        else:
            z.writestr(name, data)
`;

/** Writes a zip with Python's zipfile, the way CVAT does; entries in the order given. */
export async function writeCvatZip(file: string, entries: Array<[string, string | Buffer]>): Promise<string> {
  const spec = {
    path: file,
    entries: entries.map(([name, content]) => [name, Buffer.from(content).toString('base64')]),
  };
  await new Promise<void>((resolve, reject) => {
    const child = execFile('python3', ['-c', CVAT_ZIP_WRITER], (err) => (err ? reject(err) : resolve()));
    child.stdin?.end(JSON.stringify(spec));
  });
  return file;
}
