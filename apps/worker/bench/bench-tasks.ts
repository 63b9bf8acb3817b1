/**
 * Bench tasks: a local task of JPEG-named media, a cloud task whose media sit in an S3 bucket
 * (created through the API from `server_files` + `cloud_storage_id`), each with the same number of
 * annotations per frame (through the API).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type Actor, type Catalog, type ImageInput, planRangeSegments } from '@cvat-backup/catalog';
import type { S3Info } from '@cvat-backup/testkit';
import type { ApiClient } from './api-client.js';

const MiB = 1024 * 1024;
/** Random bytes every media file is cut from, at a different offset per file. */
const pool = randomBytes(8 * MiB);

/** A baseline JPEG's SOI and SOF0 (3 components): all the API's header probe reads. */
function jpegHeader(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03]);
  sof.writeUInt16BE(height, 7);
  sof.writeUInt16BE(width, 9);
  return Buffer.concat([sof, Buffer.from([0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01])]);
}

const mediaSize = (i: number) => ({ width: 1920 + (i % 13), height: 1080 + (i % 7) });

/** File `i` of `bytes` bytes: a JPEG header, random-ish body (no two files alike), an EOI marker. */
export function mediaFile(i: number, bytes: number): Buffer[] {
  const { width, height } = mediaSize(i);
  const head = jpegHeader(width, height);
  const body = bytes - head.length - 2;
  if (body > pool.length) throw new Error(`media files are at most ${pool.length} bytes`);
  const offset = (i * 104_729) % (pool.length - body + 1);
  return [head, pool.subarray(offset, offset + body), Buffer.from([0xff, 0xd9])];
}

export const mediaName = (i: number) => `frame_${String(i).padStart(6, '0')}.jpg`;

const SEGMENT_SIZE = 256;
const LABELS = [{ name: 'car' }, { name: 'person' }];

/**
 * A local task of `count` media files of `bytes` each, laid out as the API lays out an upload
 * (`media/tasks/{id}/{upload}/` with `manifest.jsonl`) and recorded through the catalog; annotations
 * through the API. Not uploaded through `POST /api/tasks/{id}/data`: that request refuses more than
 * 1,000 multipart parts (FST_PARTS_LIMIT, reported), and the upload is not what is measured.
 */
export async function createLocalTask(
  setup: { api: ApiClient; catalog: Catalog; actor: Actor; dataRoot: string },
  name: string,
  count: number,
  bytes: number,
  shapesPerFrame: number,
): Promise<number> {
  const { api, catalog, actor } = setup;
  const task = await catalog.tasks.create(actor, {
    name,
    segment_size: SEGMENT_SIZE,
    owner_id: actor.id,
    labels: LABELS,
    mode: 'annotation',
  });
  const prefix = `tasks/${task.id}/bench/`;
  const dir = path.join(setup.dataRoot, 'media', prefix);
  await mkdir(dir, { recursive: true });
  const manifest = [JSON.stringify({ version: '1.1' }), JSON.stringify({ type: 'images' })];
  const images: ImageInput[] = [];
  for (let i = 0; i < count; i++) {
    const content = Buffer.concat(mediaFile(i, bytes));
    await writeFile(path.join(dir, mediaName(i)), content);
    const { width, height } = mediaSize(i);
    const checksum = createHash('md5').update(content).digest('hex');
    manifest.push(
      JSON.stringify({
        name: mediaName(i).replace(/\.jpg$/, ''),
        extension: '.jpg',
        width,
        height,
        meta: { related_images: [] },
        checksum,
      }),
    );
    images.push({ frame: i, path: mediaName(i), width, height, byte_size: bytes });
  }
  await writeFile(path.join(dir, 'manifest.jsonl'), `${manifest.join('\n')}\n`);
  await catalog.transaction(async (tx) => {
    await tx.data.create(task.id, {
      image_quality: 70,
      chunk_size: 72,
      size: count,
      start_frame: 0,
      stop_frame: count - 1,
      storage: 'local',
      media_type: 'image',
      media_prefix: prefix,
      images,
      manifest,
    });
    await tx.jobs.createSegments(task.id, planRangeSegments(count, SEGMENT_SIZE, 0));
  });
  await annotate(api, task.id, count, shapesPerFrame);
  return task.id;
}

/** Puts `count` media objects under `media/` into the bucket; returns their keys. */
export async function putCloudMedia(
  s3: S3Client,
  bucket: string,
  count: number,
  bytes: number,
): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `media/${mediaName(i)}`);
  for (let i = 0; i < count; i += 4)
    await Promise.all(
      keys.slice(i, i + 4).map((Key, j) =>
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key,
            Body: Buffer.concat(mediaFile(i + j, bytes)),
            ContentType: 'image/jpeg',
          }),
        ),
      ),
    );
  return keys;
}

/** A cloud storage record for the bucket (credentials as the emulator takes them); returns its id. */
export async function createCloudStorage(api: ApiClient, bucket: string, info: S3Info): Promise<number> {
  const created = await api.json<{ id: number }>('/api/cloudstorages', 201, {
    method: 'POST',
    json: {
      provider_type: 'AWS_S3_BUCKET',
      resource: bucket,
      display_name: 'bench bucket',
      credentials_type: 'KEY_SECRET_KEY_PAIR',
      key: info.accessKeyId,
      secret_key: info.secretAccessKey,
      specific_attributes: `endpoint_url=${encodeURIComponent(info.endpoint)}&region=${info.region}`,
    },
  });
  return created.id;
}

async function newTask(api: ApiClient, name: string): Promise<number> {
  const task = await api.json<{ id: number }>('/api/tasks', 201, {
    method: 'POST',
    json: { name, segment_size: SEGMENT_SIZE, labels: LABELS },
  });
  return task.id;
}

/** A task whose data are `keys` in the cloud storage (CVAT's `server_files` + `cloud_storage_id`). */
export async function createCloudTask(
  api: ApiClient,
  name: string,
  storageId: number,
  keys: string[],
  shapesPerFrame: number,
): Promise<number> {
  const id = await newTask(api, name);
  await api.json(`/api/tasks/${id}/data`, 202, {
    method: 'POST',
    json: { image_quality: 70, server_files: keys, cloud_storage_id: storageId },
  });
  await annotate(api, id, keys.length, shapesPerFrame);
  return id;
}

/** `shapesPerFrame` shapes (rectangles and 8-point polygons) and one tag on every frame. */
async function annotate(api: ApiClient, taskId: number, frames: number, shapesPerFrame: number) {
  const labels = await api.json<{ results: Array<{ id: number }> }>(`/api/labels?task_id=${taskId}`, 200);
  const [car, person] = labels.results.map((l) => l.id);
  const shapes: unknown[] = [];
  const tags: unknown[] = [];
  for (let frame = 0; frame < frames; frame++) {
    tags.push({ label_id: car, frame, group: 0, source: 'manual', attributes: [] });
    for (let s = 0; s < shapesPerFrame; s++) {
      const x = (s * 37) % 1800;
      const y = (frame * 11 + s * 23) % 1000;
      const polygon = s % 2 === 1;
      shapes.push({
        label_id: polygon ? person : car,
        type: polygon ? 'polygon' : 'rectangle',
        frame,
        group: 0,
        source: 'manual',
        occluded: false,
        outside: false,
        z_order: 0,
        rotation: 0,
        points: polygon
          ? [
              x,
              y,
              x + 40.5,
              y,
              x + 60,
              y + 20.25,
              x + 60,
              y + 50,
              x + 40,
              y + 70,
              x,
              y + 70,
              x - 10,
              y + 40,
              x,
              y + 10,
            ]
          : [x, y, x + 80.5, y + 60.25],
        attributes: [],
        elements: [],
      });
    }
  }
  await api.json(`/api/tasks/${taskId}/annotations`, 200, {
    method: 'PUT',
    json: { version: 0, tags, shapes, tracks: [] },
  });
}
