import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { ImageInput } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { type ArchiveFile, readMediaManifest, type TaskContent } from '@cvat-backup/format';
import type { StorageDriver } from '@cvat-backup/storage';
import { joinKey } from '../export/prefetching-media.js';

export const MANIFEST = 'manifest.jsonl';

/**
 * Where a restore puts its media: derived from the request id, so a retried attempt writes the same
 * keys again (replacing them atomically) instead of leaving a second copy behind.
 */
export function importMediaPrefix(importRequestId: string): string {
  return `imports/${createHash('sha256').update(importRequestId).digest('hex').slice(0, 24)}/raw/`;
}

export function manifestFile(content: TaskContent): ArchiveFile | undefined {
  return content.media.find((f) => f.path === MANIFEST);
}

/** The media files a restore copies into storage: all but the manifest (kept in the catalog). */
export function copiedFiles(content: TaskContent): ArchiveFile[] {
  return content.media.filter((f) => f.path !== MANIFEST);
}

/**
 * Refuses (BACKUP_RESTORE_MEDIA_INCOMPLETE, retryable) when a file `copyMedia` put under `prefix`
 * is no longer there with the archive's size. Run under the request's lock right before the rows are
 * written: an attempt of the same request that failed meanwhile may have removed them (its cleanup
 * takes the same lock, so nothing is removed between this check and the commit). One listing of
 * the prefix rather than a head per file: on local storage both cost about 0.15 s for 10,000 files
 * (2-3% of their restore, media-check.bench.ts); on a remote store a listing takes a thousandth of
 * the round trips.
 */
export async function checkCopiedMedia(
  content: TaskContent,
  driver: StorageDriver,
  prefix: string,
): Promise<void> {
  const files = copiedFiles(content);
  if (files.length === 0) return;
  const expected = new Map(files.map((f) => [joinKey(prefix, f.path), f.size]));
  const wrongSize = new Map<string, number>();
  for await (const page of driver.list(prefix))
    for (const { key, size } of page) {
      if (expected.get(key) === size) expected.delete(key);
      else if (expected.has(key)) wrongSize.set(key, size);
    }
  const [first] = expected;
  if (!first) return;
  const [key, size] = first;
  const found = wrongSize.get(key);
  const path = key.slice(prefix.length);
  throw new AppError('BACKUP_RESTORE_MEDIA_INCOMPLETE', {
    problem: found === undefined ? `${path} is missing` : `${path} holds ${found} bytes, not ${size}`,
    others: expected.size - 1,
    count: files.length,
    prefix,
  });
}

/** Copies every media file but the manifest into storage, a few at a time, each write atomic. */
export async function copyMedia(
  content: TaskContent,
  driver: StorageDriver,
  prefix: string,
  concurrency: number,
  onFile?: (bytes: number) => void,
): Promise<number> {
  const files = copiedFiles(content);
  let next = 0;
  let bytes = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < files.length) {
      const file = files[next++]!;
      const write = driver.openWrite(joinKey(prefix, file.path), { sizeHint: file.size });
      try {
        await pipeline(await file.open(), write);
        await write.commit();
      } catch (err) {
        failed = true;
        await write.abort(err).catch(() => {});
        throw err;
      }
      bytes += file.size;
      onFile?.(file.size);
    }
  };
  // On a failure the other copies finish their file and stop; the restore fails only once nothing
  // writes any more (Promise.all answered while siblings still wrote, and their files appeared
  // after the caller had given up and closed the archive).
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(concurrency, files.length) }, worker),
  );
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  return bytes;
}

export interface FrameRange {
  start: number;
  stop: number | undefined;
  step: number;
}

export function frameRange(data: {
  start_frame?: number;
  stop_frame?: number;
  frame_filter?: string;
}): FrameRange {
  const step = Number(/step\s*=\s*([1-9]\d*)/.exec(data.frame_filter ?? '')?.[1] ?? 1);
  return { start: data.start_frame ?? 0, stop: data.stop_frame, step };
}

const inRange = (index: number, r: FrameRange) =>
  index >= r.start && (r.stop === undefined || index <= r.stop) && (index - r.start) % r.step === 0;

/**
 * The task's frames from the media manifest: item `start + k·step` (up to `stop`) is frame k, as
 * CVAT numbers them. Streams: nothing is kept but the current line.
 */
export async function* manifestImages(
  file: ArchiveFile,
  range: FrameRange,
  sizeOf: (path: string) => number | undefined = () => undefined,
): AsyncIterable<ImageInput> {
  let index = 0;
  let frame = 0;
  for await (const line of readMediaManifest(await file.open(), { entry: file.entry })) {
    if (line.kind !== 'image') continue;
    if (inRange(index, range)) {
      const { item } = line;
      const path = `${item.name}${item.extension}`;
      yield {
        frame: frame++,
        path,
        byte_size: sizeOf(path) ?? null,
        width: item.width ?? 0,
        height: item.height ?? 0,
        related_files: item.meta?.related_images ?? [],
      };
    }
    index++;
  }
}

/** The manifest's lines as stored in the catalog (no newline), streamed. */
export async function* manifestLines(file: ArchiveFile): AsyncIterable<string> {
  // A chunk may end inside a multi-byte character: the decoder keeps its first bytes for the next.
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of await file.open()) {
    const text = carry + decoder.write(chunk);
    const lines = text.split('\n');
    carry = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') yield line.replace(/\r$/, '');
  }
  carry += decoder.end();
  if (carry.trim() !== '') yield carry.replace(/\r$/, '');
}
