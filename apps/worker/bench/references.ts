/**
 * What each end-to-end measurement is compared with, on the same bytes in the same run: `zip -0 -r`
 * of the task's media folder, a raw `@aws-sdk/client-s3` copy of the cloud media into one multipart
 * upload, and `unzip` of an archive followed by a plain insert through the catalog repositories.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { Actor, Catalog } from '@cvat-backup/catalog';
import { plainInsert } from './plain-insert.js';

const MiB = 1024 * 1024;

export function run(command: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: exit ${code} ${err}`)),
    );
  });
}

export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `zip -0 -r` of `dir` into `out`: the time of zip alone and of zip plus an fsync of the result. */
export async function zipReference(dir: string, out: string): Promise<{ zipMs: number; zipFsyncMs: number }> {
  await rm(out, { force: true });
  const t0 = performance.now();
  await run('zip', ['-0', '-r', '-q', out, '.'], dir);
  const zipMs = performance.now() - t0;
  await fsyncFile(out);
  const zipFsyncMs = performance.now() - t0;
  await rm(out, { force: true });
  return { zipMs, zipFsyncMs };
}

/**
 * The raw SDK doing what a cloud-to-cloud backup does with the media: GET every object in order
 * (`ahead` requests in flight, as the worker's MEDIA_PREFETCH) and send their concatenation as one
 * multipart upload of `partSize` parts, `ahead` parts in flight (the S3 driver's defaults).
 */
export async function rawS3Copy(
  s3: S3Client,
  bucket: string,
  keys: string[],
  targetKey: string,
  { ahead = 4, partSize = 8 * MiB } = {},
): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: targetKey }));
  const parts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let part: Buffer[] = [];
  let partBytes = 0;
  let bytes = 0;
  let numbered = 0;
  const send = async (body: Buffer) => {
    const PartNumber = ++numbered;
    const task = s3
      .send(new UploadPartCommand({ Bucket: bucket, Key: targetKey, UploadId, PartNumber, Body: body }))
      .then((out) => void parts.push({ PartNumber, ETag: out.ETag }));
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= ahead) await Promise.race(inFlight);
  };
  const get = (Key: string) =>
    s3.send(new GetObjectCommand({ Bucket: bucket, Key })).then((out) => out.Body as NodeJS.ReadableStream);
  const gets = keys.slice(0, ahead).map(get);
  for (let i = 0; i < keys.length; i++) {
    const body = await gets[i]!;
    if (i + ahead < keys.length) gets.push(get(keys[i + ahead]!));
    for await (const chunk of body as AsyncIterable<Buffer>) {
      part.push(chunk);
      partBytes += chunk.length;
      bytes += chunk.length;
      if (partBytes >= partSize) {
        const whole = Buffer.concat(part);
        part = [whole.subarray(partSize)];
        partBytes = whole.length - partSize;
        await send(whole.subarray(0, partSize));
      }
    }
  }
  if (partBytes > 0) await send(Buffer.concat(part));
  await Promise.all(inFlight);
  parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: targetKey,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  const ms = performance.now() - t0;
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: targetKey }));
  return { ms, bytes };
}

export type ArchiveSource = { file: string } | { s3: S3Client; bucket: string; key: string };

/**
 * A restore done by hand: fetch the archive when it is in a bucket (raw GET to a file), `unzip` it,
 * insert its records through the catalog repositories. The unzipped files are removed afterwards.
 */
export async function restoreReference(
  catalog: Catalog,
  actor: Actor,
  work: string,
  source: ArchiveSource,
): Promise<{ fetchMs: number; unzipMs: number; insertMs: number }> {
  let archive: string;
  let t0 = performance.now();
  if ('file' in source) archive = source.file;
  else {
    archive = path.join(work, 'fetched.zip');
    const out = await source.s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }));
    await pipeline(out.Body as NodeJS.ReadableStream, createWriteStream(archive));
  }
  const fetchMs = performance.now() - t0;
  const dir = path.join(work, 'unzipped');
  await rm(dir, { recursive: true, force: true });
  try {
    t0 = performance.now();
    await run('unzip', ['-q', archive, '-d', dir]);
    const unzipMs = performance.now() - t0;
    t0 = performance.now();
    await plainInsert(catalog, actor, dir);
    return { fetchMs, unzipMs, insertMs: performance.now() - t0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
    if (!('file' in source)) await rm(archive, { force: true });
  }
}
