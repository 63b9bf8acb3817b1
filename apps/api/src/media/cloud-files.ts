import { createInterface } from 'node:readline';
import { AppError } from '@cvat-backup/common';
import type { StorageDriver } from '@cvat-backup/storage';
import { probeImage } from './image-header.js';
import { type MediaFile, parseManifestLine } from './manifest.js';

const FIRST_READ = 64 * 1024;
const LAST_READ = 1024 * 1024;
const PARALLEL = 8;

export interface CloudMedia {
  files: MediaFile[];
  /** Where the dimensions came from: a manifest in the bucket, or the objects' headers. */
  source: { manifest: string } | { headers: true };
}

const invalid = (problem: string) =>
  new AppError('API_DATA_SOURCE_INVALID', { problem, field: 'server_files' });

/**
 * Describes `server_files` of a cloud storage without copying them: from a manifest named in
 * `server_files` or listed in the storage's `manifests` when one exists, else by ranged reads of
 * each object's first bytes (64 KiB, up to 1 MiB for JPEGs with large EXIF blocks). Keys ending in
 * `/` stand for every object under them.
 */
export async function describeCloudFiles(
  driver: StorageDriver,
  serverFiles: readonly string[],
  storageManifests: readonly string[],
): Promise<CloudMedia> {
  const requested = serverFiles.filter((f) => !f.endsWith('.jsonl'));
  const named = serverFiles.filter((f) => f.endsWith('.jsonl'));
  for (const manifest of [...named, ...storageManifests]) {
    if (!(await driver.head(manifest))) {
      if (named.includes(manifest))
        throw invalid(`the manifest ${manifest} does not exist in the cloud storage`);
      continue;
    }
    return { files: await fromManifest(driver, manifest, requested), source: { manifest } };
  }
  if (requested.length === 0) throw invalid('no media files were given');
  const keys: string[] = [];
  for (const f of requested) {
    if (!f.endsWith('/')) {
      keys.push(f);
      continue;
    }
    for await (const page of driver.list(f))
      for (const e of page) if (!e.key.endsWith('.jsonl')) keys.push(e.key);
  }
  const files: MediaFile[] = [];
  for (let i = 0; i < keys.length; i += PARALLEL)
    files.push(...(await Promise.all(keys.slice(i, i + PARALLEL).map((k) => probeObject(driver, k)))));
  return { files, source: { headers: true } };
}

async function fromManifest(
  driver: StorageDriver,
  manifest: string,
  requested: string[],
): Promise<MediaFile[]> {
  const wanted = requested.length ? new Set(requested) : null;
  const files: MediaFile[] = [];
  const lines = createInterface({ input: await driver.read(manifest), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  for await (const line of lines) {
    const image = parseManifestLine(line, lineNo++, manifest);
    if (!image || (wanted && !wanted.has(image.path))) continue;
    wanted?.delete(image.path);
    files.push({ ...image, byteSize: null });
  }
  if (wanted && wanted.size > 0)
    throw invalid(
      `${[...wanted].slice(0, 5).join(', ')} ${wanted.size > 1 ? 'are' : 'is'} not in the manifest ${manifest}`,
    );
  if (files.length === 0) throw invalid(`the manifest ${manifest} lists no images`);
  return files;
}

async function probeObject(driver: StorageDriver, key: string): Promise<MediaFile> {
  const info = await driver.head(key);
  if (!info) throw invalid(`${key} does not exist in the cloud storage`);
  let probed = probeImage(await readRange(driver, key, Math.min(FIRST_READ, info.size)));
  if (probed === 'need-more' && info.size > FIRST_READ)
    probed = probeImage(await readRange(driver, key, Math.min(LAST_READ, info.size)));
  if (!probed || probed === 'need-more')
    throw new AppError('API_MEDIA_UNSUPPORTED', { name: key, field: 'server_files' });
  const md5 = info.checksum?.startsWith('md5:')
    ? info.checksum.slice(4)
    : /^[0-9a-f]{32}$/.test(info.etag ?? '')
      ? info.etag!
      : null;
  return { path: key, width: probed.width, height: probed.height, byteSize: info.size, checksum: md5 };
}

async function readRange(driver: StorageDriver, key: string, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await driver.read(key, { range: { offset: 0, length } }))
    chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
