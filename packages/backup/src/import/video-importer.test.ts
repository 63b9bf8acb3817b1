import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSource, INTEGRITY_MANIFEST, ZipReader } from '@cvat-backup/format';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CvatArchive, cvatEntries, cvatTaskJson } from '../../test/cvat-video-archive.js';
import { createImageTask, type Fixture, openFixture } from '../../test/export-fixture.js';
import {
  exportProjectToFile,
  exportTaskToFile,
  restoreProjectFile,
  restoreTaskFile,
  snapshot,
} from '../../test/restore-helpers.js';
import { createVideoTask, videoBytes, videoManifest, writeCvatZip } from '../../test/video-fixture.js';
import { importMediaPrefix } from './archive-media.js';

const rqId = (n: number) =>
  `action=import&target=task&id=00000000-0000-4000-8000-${String(n).padStart(12, '0')}&subresource=backup`;

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Every entry of an archive but the integrity manifest (its bytes), by name. */
async function archiveContent(file: string): Promise<Record<string, string>> {
  const zip = await ZipReader.open(await FileSource.open(file));
  try {
    const out: Record<string, string> = {};
    for (const entry of zip.entries)
      if (entry.name !== INTEGRITY_MANIFEST)
        out[entry.name] = (await zip.readEntry(entry, 1 << 24)).toString('base64');
    return out;
  } finally {
    await zip.close();
  }
}

describe('restoring video tasks (real PostgreSQL and local storage)', () => {
  let fx: Fixture;
  let root: string;
  let media: StorageDriver;

  beforeAll(async () => {
    fx = await openFixture();
    root = await mkdtemp(path.join(tmpdir(), 'cvb-video-'));
    media = new LocalDriver({ kind: 'local', root });
  });

  afterAll(async () => {
    await media?.close();
    await fx?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const taskCount = async () => (await fx.catalog.tasks.list(fx.actor, { page_size: 'all' } as never)).count;
  const keysUnder = async (prefix: string) => {
    const keys: string[] = [];
    for await (const page of media.list(prefix)) keys.push(...page.map((e) => e.key));
    return keys;
  };

  it('round-trips a video task: fields, data range, video row and bytes, manifest, jobs, tracks', async () => {
    const sourceId = await createVideoTask(fx, root, { name: 'street' });
    const first = await exportTaskToFile(fx, media, sourceId, root, 'video.zip');
    const result = await restoreTaskFile(fx, media, first, rqId(1));
    expect(result.created).toBe(true);
    const [original, restored] = await Promise.all([
      snapshot(fx.catalog, sourceId, media),
      snapshot(fx.catalog, result.id, media),
    ]);
    expect(restored).toEqual(original);
    expect(restored.task.mode).toBe('interpolation');
    expect(restored.data).toMatchObject({
      size: 8,
      start_frame: 2,
      stop_frame: 16,
      frame_filter: 'step=2',
      compressed_chunk_type: 'video',
      original_chunk_type: 'video',
      media_type: 'video',
    });
    expect(restored.video).toMatchObject({
      path: 'street.mp4',
      width: 640,
      height: 360,
      byte_size: videoBytes.length,
    });
    expect(await readAll(await media.read(`${importMediaPrefix(`${rqId(1)}#`)}street.mp4`))).toEqual(
      videoBytes,
    );
    expect(restored.annotations[0]!.tracks).toHaveLength(1);

    const again = await exportTaskToFile(fx, media, result.id, root, 'video-again.zip');
    expect(await archiveContent(again)).toEqual(await archiveContent(first));
  });

  it.each([
    ['video', 'video'],
    ['imageset', 'imageset'],
  ])(
    'restores an archive written by 2022-era CVAT (chunk_type %s), ignoring data/index.json',
    async (chunkType, compressed) => {
      const n = chunkType === 'video' ? 2 : 3;
      const file = await writeCvatZip(
        path.join(root, `cvat-${chunkType}.zip`),
        cvatEntries({ task: cvatTaskJson({ chunk_type: chunkType }) }),
      );
      const { id } = await restoreTaskFile(fx, media, file, rqId(n));
      const task = await fx.catalog.tasks.get(fx.actor, id);
      expect(task).toMatchObject({
        mode: 'interpolation',
        size: 10,
        segment_size: 5,
        overlap: 0,
        data_compressed_chunk_type: compressed,
        data_original_chunk_type: 'video',
      });
      const data = (await fx.catalog.data.getForTask(id))!;
      expect(data).toMatchObject({
        size: 10,
        start_frame: 1,
        stop_frame: 19,
        frame_filter: 'step=2',
        media_type: 'video',
      });
      expect(await fx.catalog.data.video(data.id)).toEqual({
        path: 'clip.mp4',
        width: 640,
        height: 360,
        byte_size: videoBytes.length,
      });
      const lines: string[] = [];
      for await (const line of fx.catalog.data.manifestLines(data.id)) lines.push(line);
      expect(lines).toEqual(videoManifest({ name: 'clip.mp4', length: 20 }));
      expect(await keysUnder(data.media_prefix)).toEqual([`${data.media_prefix}clip.mp4`]);
      const jobs = await fx.catalog.jobs.forTask(id);
      expect(jobs.map((j) => [j.start_frame, j.stop_frame, j.status])).toEqual([
        [0, 4, 'annotation'],
        [5, 9, 'completed'],
      ]);
      const tracks = [];
      for await (const t of fx.catalog.annotations.read(jobs[0]!.id).tracks()) tracks.push(t);
      expect(tracks.map((t) => t.shapes.map((s) => [s.frame, s.outside]))).toEqual([
        [
          [0, false],
          [4, true],
        ],
      ]);
    },
  );

  it('takes a stop_frame of 0 as "to the end of the video", as CVAT does', async () => {
    const task = cvatTaskJson({ start_frame: 0, stop_frame: 0, frame_filter: undefined }, [
      { start_frame: 0, stop_frame: 4, status: 'annotation' },
      { start_frame: 5, stop_frame: 19, status: 'annotation' },
    ]);
    const file = await writeCvatZip(path.join(root, 'cvat-stop0.zip'), cvatEntries({ task }));
    const { id } = await restoreTaskFile(fx, media, file, rqId(4));
    expect(await fx.catalog.data.getForTask(id)).toMatchObject({ size: 20, start_frame: 0, stop_frame: 19 });
  });

  const manifest = (over: Partial<Parameters<typeof videoManifest>[0]> = {}) =>
    videoManifest({ name: 'clip.mp4', length: 20, ...over });
  const [version, type, properties, keyFrame] = manifest();
  it.each<[string, CvatArchive, string]>([
    [
      'a manifest naming a video data/ does not hold',
      { media: [['other.mp4', videoBytes]] },
      'BACKUP_VIDEO_MEDIA_MISMATCH',
    ],
    [
      'two videos',
      {
        media: [
          ['clip.mp4', videoBytes],
          ['more/clip2.mp4', videoBytes],
        ],
      },
      'BACKUP_VIDEO_MEDIA_MISMATCH',
    ],
    [
      'a video and images',
      {
        media: [
          ['clip.mp4', videoBytes],
          ['images/0.jpg', 'jpeg'],
        ],
      },
      'BACKUP_VIDEO_MEDIA_MISMATCH',
    ],
    ['only a manifest', { media: [] }, 'BACKUP_VIDEO_MEDIA_MISMATCH'],
    ['a manifest without its properties line', { manifest: [version!, type!] }, 'ARCHIVE_SCHEMA_INVALID'],
    [
      'a key-frame line before the properties',
      { manifest: [version!, type!, keyFrame!, properties!] },
      'ARCHIVE_SCHEMA_INVALID',
    ],
    [
      'a key frame past the last frame',
      { manifest: manifest({ keyFrames: [0, 20] }) },
      'ARCHIVE_SCHEMA_INVALID',
    ],
    [
      'a length shorter than stop_frame',
      { manifest: manifest({ length: 12 }) },
      'BACKUP_VIDEO_FRAMES_MISMATCH',
    ],
    [
      'a start_frame past the video',
      { task: cvatTaskJson({ start_frame: 25, stop_frame: undefined }) },
      'BACKUP_VIDEO_FRAMES_MISMATCH',
    ],
    [
      'a stop_frame before start_frame',
      { task: cvatTaskJson({ start_frame: 9, stop_frame: 3 }) },
      'BACKUP_VIDEO_FRAMES_MISMATCH',
    ],
    ['jobs past the task frames', { task: cvatTaskJson({ stop_frame: 9 }) }, 'BACKUP_VIDEO_FRAMES_MISMATCH'],
    ['a video without a manifest', { manifest: null }, 'BACKUP_VIDEO_MANIFEST_MISSING'],
    [
      'a lightweight backup of a video task',
      { media: [], task: cvatTaskJson({ storage: 'cloud_storage' }) },
      'BACKUP_UNSUPPORTED_MEDIA',
    ],
  ])('refuses %s with a coded 4xx error and writes nothing', async (label, archive, code) => {
    const file = await writeCvatZip(
      path.join(root, `bad-${label.replace(/\W+/g, '-')}.zip`),
      cvatEntries(archive),
    );
    const rq = `${rqId(100)}&case=${encodeURIComponent(label)}`;
    const before = await taskCount();
    const error = await restoreTaskFile(fx, media, file, rq).then(
      () => undefined,
      (err: unknown) => err as { code: string; status: number; message: string },
    );
    expect(error?.code).toBe(code);
    expect(error?.status).toBeGreaterThanOrEqual(400);
    expect(error?.status).toBeLessThan(500);
    expect(await taskCount()).toBe(before);
    expect(await fx.catalog.tasks.findByImportRequestId(rq)).toBeFalsy();
    expect(await keysUnder(importMediaPrefix(`${rq}#`))).toEqual([]);
  });

  it('restores a project holding a video task and an image task', async () => {
    const project = await fx.catalog.projects.create(fx.actor, {
      name: 'traffic',
      labels: [{ name: 'car', type: 'rectangle', color: '#fa3253' }],
    });
    const videoId = await createVideoTask(fx, root, { name: 'street', projectId: project.id });
    await createImageTask(fx, root, { name: 'stills', projectId: project.id });
    const file = await exportProjectToFile(fx, media, project.id, root, 'project.zip');
    const result = await restoreProjectFile(
      fx,
      media,
      file,
      'action=import&target=project&id=p-video-1&subresource=backup',
    );
    const tasks = (
      await fx.catalog.tasks.list(fx.actor, { filters: { project_id: String(result.id) } } as never)
    ).results;
    const byName = new Map(tasks.map((t) => [t.name, t]));
    expect(byName.get('stills')?.mode).toBe('annotation');
    const restored = byName.get('street')!;
    expect(restored.mode).toBe('interpolation');
    const [a, b] = await Promise.all([
      snapshot(fx.catalog, videoId, media),
      snapshot(fx.catalog, restored.id, media),
    ]);
    // Label ids of the two projects differ; snapshot already strips them.
    expect(b).toEqual(a);
  });

  it('refuses a project whose second task is a broken video before writing anything', async () => {
    const projectJson = JSON.stringify({
      name: 'half good',
      bug_tracker: '',
      status: 'annotation',
      labels: [{ name: 'car', color: '#fa3253', attributes: [] }],
      version: '1.0',
    });
    const good = cvatEntries().map(([name, bytes]): [string, string | Buffer] => [`task_0/${name}`, bytes]);
    const bad = cvatEntries({ manifest: manifestWith(12) }).map(
      ([name, bytes]): [string, string | Buffer] => [`task_1/${name}`, bytes],
    );
    const file = await writeCvatZip(path.join(root, 'half.zip'), [
      ['project.json', projectJson],
      ...good,
      ...bad,
    ]);
    const rq = 'action=import&target=project&id=p-video-2&subresource=backup';
    await expect(restoreProjectFile(fx, media, file, rq)).rejects.toMatchObject({
      code: 'BACKUP_VIDEO_FRAMES_MISMATCH',
      status: 400,
    });
    expect(await fx.catalog.projects.findByImportRequestId(rq)).toBeFalsy();
    for (const prefix of [importMediaPrefix(`${rq}#task_0/`), importMediaPrefix(`${rq}#task_1/`)]) {
      const keys = [];
      for await (const page of media.list(prefix)) keys.push(...page);
      expect(keys).toEqual([]);
    }
  });
});

const manifestWith = (length: number) => videoManifest({ name: 'clip.mp4', length });
