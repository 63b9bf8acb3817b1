/**
 * Archives as older CVAT releases wrote them, restored over HTTP with a real worker: the 2021 shape
 * (share storage, job reviews, data/index.json, a task/ directory, pretty-printed JSON, no label
 * types) and the 2022–2023 shape (labels before subset, deleted frames, no job types), images and
 * video.
 */
import { PassThrough } from 'node:stream';
import { ZipWriter } from '@cvat-backup/format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cvatEntries } from '../../../packages/backup/test/cvat-video-archive.js';
import { type BackupApi, fileForm, type HttpUser, openBackupApi, settled } from './backup-api.js';
import { IMAGES, json } from './task-backup.js';

async function zip(entries: Array<[string, string | Buffer]>): Promise<Buffer> {
  const sink = new PassThrough();
  const parts: Buffer[] = [];
  sink.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((resolve) => sink.on('end', resolve));
  const writer = new ZipWriter(sink);
  for (const [name, content] of entries)
    await writer.addBuffer(name, Buffer.isBuffer(content) ? content : Buffer.from(content));
  await writer.finish();
  await done;
  return Buffer.concat(parts);
}

const manifest = (version: string) =>
  [
    JSON.stringify({ version }),
    JSON.stringify({ type: 'images' }),
    ...IMAGES.map((img, i) =>
      JSON.stringify({
        name: `images/f${i}`,
        extension: '.png',
        width: img.readUInt32BE(16),
        height: img.readUInt32BE(20),
      }),
    ),
  ].join('\n');

const shape = (frame: number) => ({
  type: 'rectangle',
  occluded: false,
  z_order: 0,
  points: [1, 1, 2, 2],
  frame,
  group: 0,
  source: 'manual',
  attributes: [],
  label: 'car',
});

const ERAS: Array<[string, Array<[string, string | Buffer]>]> = [
  [
    '2021',
    [
      ...IMAGES.map((img, i): [string, Buffer] => [`data/images/f${i}.png`, img]),
      ['data/index.json', '{"0":0}'],
      ['data/manifest.jsonl', manifest('1.0')],
      ['task/client.meta', 'old task dir'],
      [
        'task.json',
        JSON.stringify(
          {
            name: 'era 2021',
            bug_tracker: '',
            status: 'annotation',
            subset: '',
            labels: [{ name: 'car', color: '#fa3253', attributes: [] }],
            version: '1.0',
            data: {
              chunk_size: 36,
              image_quality: 50,
              start_frame: 0,
              stop_frame: 2,
              frame_filter: '',
              chunk_type: 'imageset',
              storage_method: 'file_system',
              storage: 'share',
            },
            jobs: [{ start_frame: 0, stop_frame: 2, status: 'completed', reviews: [] }],
          },
          null,
          2,
        ),
      ],
      ['annotations.json', JSON.stringify([{ version: 0, tags: [], shapes: [shape(1)], tracks: [] }])],
    ],
  ],
  [
    '2022',
    [
      ...IMAGES.map((img, i): [string, Buffer] => [`data/images/f${i}.png`, img]),
      ['data/manifest.jsonl', manifest('1.1')],
      [
        'task.json',
        JSON.stringify({
          name: 'era 2022',
          bug_tracker: '',
          status: 'annotation',
          labels: [{ name: 'car', color: '#3df53d', attributes: [] }],
          subset: '',
          version: '1.0',
          data: {
            chunk_size: 45,
            image_quality: 70,
            start_frame: 0,
            stop_frame: 2,
            storage_method: 'cache',
            storage: 'local',
            sorting_method: 'natural',
            chunk_type: 'imageset',
            deleted_frames: [2],
          },
          jobs: [{ start_frame: 0, stop_frame: 2, status: 'annotation' }],
        }),
      ],
      ['annotations.json', JSON.stringify([{ version: 0, tags: [], shapes: [shape(1)], tracks: [] }])],
    ],
  ],
];

describe('archives of older CVAT eras restored over HTTP', () => {
  let api: BackupApi;
  let alice: HttpUser;
  beforeAll(async () => {
    api = await openBackupApi();
    alice = await api.user();
    await api.worker.start();
  });
  afterAll(async () => api?.close());

  it.each(ERAS)('restores a %s archive with its media and annotations', async (era, entries) => {
    const archive = await zip(entries);
    const started = await json(
      await alice.call('/api/tasks/backup', { method: 'POST', body: fileForm('task_file', archive) }),
      202,
    );
    const restore = await settled(alice, started.rq_id as string);
    expect(restore.status, String(restore.message)).toBe('finished');
    const task = await json(await alice.call(`/api/tasks/${restore.result_id}`), 200);
    expect([task.name, task.size]).toEqual([`era ${era}`, 3]);
    const frame = await alice.call(
      `/api/tasks/${restore.result_id}/data?type=frame&number=2&quality=original`,
    );
    expect(Buffer.from(await frame.arrayBuffer())).toEqual(IMAGES[2]);
    const annotations = await json(await alice.call(`/api/tasks/${restore.result_id}/annotations`), 200);
    expect(annotations.shapes).toMatchObject([{ type: 'rectangle', frame: 1, points: [1, 1, 2, 2] }]);
  });

  it('restores a 2022-era video task: interpolation mode, frames from the video manifest, tracks', async () => {
    const started = await json(
      await alice.call('/api/tasks/backup', {
        method: 'POST',
        body: fileForm('task_file', await zip(cvatEntries())),
      }),
      202,
    );
    const restore = await settled(alice, started.rq_id as string);
    expect(restore.status, String(restore.message)).toBe('finished');
    const id = restore.result_id;
    const task = await json(await alice.call(`/api/tasks/${id}`), 200);
    expect(task).toMatchObject({
      name: 'street (CVAT 2022)',
      mode: 'interpolation',
      size: 10,
      data_compressed_chunk_type: 'video',
      data_original_chunk_type: 'video',
    });
    const meta = await json(await alice.call(`/api/tasks/${id}/data/meta`), 200);
    expect(meta).toMatchObject({ size: 10, start_frame: 1, stop_frame: 19, frame_filter: 'step=2' });
    expect(meta.frames).toMatchObject([{ name: 'clip.mp4', width: 640, height: 360 }]);
    const annotations = await json(await alice.call(`/api/tasks/${id}/annotations`), 200);
    expect(annotations.tracks).toMatchObject([
      {
        label_id: expect.any(Number),
        shapes: [
          { frame: 0, outside: false },
          { frame: 4, outside: true },
        ],
      },
    ]);
  });
});
