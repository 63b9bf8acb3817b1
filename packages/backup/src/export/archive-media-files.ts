import { Readable } from 'node:stream';
import type { Catalog, DataRecord } from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import { type MediaInput, readMediaManifest } from '@cvat-backup/format';
import type { MediaMode } from './archive-task-meta.js';
import { joinKey, type MediaFile } from './prefetching-media.js';

/**
 * The files of a gt_pool task's validation frames (and their related images): the only paths a
 * task's frames may repeat, its placeholder frames (honeypots) showing a validation frame's image.
 * As many as the validation pool, whatever the task's frame count.
 */
export interface ValidationMedia {
  /** Validation frame → its image's path (task.json names the layout's frames by file). */
  framePaths: Map<number, string>;
  /** Those paths and their related images. */
  repeatable: Set<string>;
}

export async function validationMedia(catalog: Catalog, data: DataRecord): Promise<ValidationMedia> {
  const wanted = new Set(data.validation_layout?.mode === 'gt_pool' ? data.validation_layout.frames : []);
  const framePaths = new Map<number, string>();
  const repeatable = new Set<string>();
  if (wanted.size === 0) return { framePaths, repeatable };
  for await (const image of catalog.data.images(data.id))
    if (wanted.has(image.frame)) {
      framePaths.set(image.frame, image.path);
      for (const path of [image.path, ...image.related_files]) repeatable.add(path);
    }
  return { framePaths, repeatable };
}

/**
 * Skips a second copy of a file. A frame's own file repeats only as a placeholder of a validation
 * frame, so only those are remembered, not every frame's path (that grew by ~90 bytes a frame).
 * Related images are remembered all: CVAT shares one related file between images (RelatedFile
 * rows), and most tasks have none.
 */
function onceEach(repeatable: ReadonlySet<string>): (path: string, related: boolean) => boolean {
  const written = new Set<string>();
  return (path, related) => {
    if (!related && !repeatable.has(path)) return true;
    if (written.has(path)) return false;
    written.add(path);
    return true;
  };
}

/**
 * `data/manifest.jsonl`. Copied cloud media are only the task's frames, so their manifest names only
 * those, in frame order (CVAT's `_write_filtered_media_manifest`; task.json then drops the range).
 * Otherwise the stored manifest as it is: a video's always (CVAT never filters those).
 */
export function manifestEntry(catalog: Catalog, data: DataRecord, mode: MediaMode): MediaInput {
  const lines = catalog.data.manifestLines(data.id);
  return {
    path: 'manifest.jsonl',
    open: async () =>
      Readable.from(withNewlines(mode === 'cloud-copied' ? taskFramesOnly(catalog, data, lines) : lines)),
  };
}

/**
 * Every file the archive's `data/` holds besides the manifest. Local data: the task's whole upload,
 * that is every file its stored manifest names with their related images (CVAT copies the upload
 * folder) — a task with a range has uploads that are not its frames, and a restore numbers the
 * frames from the manifest. Copied cloud media: the task's frames and their related images.
 */
export async function* mediaFiles(
  catalog: Catalog,
  data: DataRecord,
  mode: MediaMode,
  repeatable: ReadonlySet<string>,
): AsyncIterable<MediaFile> {
  const video = await catalog.data.video(data.id);
  if (video) {
    yield {
      path: video.path,
      key: joinKey(data.media_prefix, video.path),
      ...(video.byte_size === null ? {} : { size: video.byte_size }),
    };
    return;
  }
  const firstTime = onceEach(repeatable);
  const file = (path: string, size?: number | null): MediaFile => ({
    path,
    key: joinKey(data.media_prefix, path),
    ...(size == null ? {} : { size }),
  });
  if (mode === 'local' && (await hasLines(catalog.data.manifestLines(data.id)))) {
    const manifest = readMediaManifest(withNewlines(catalog.data.manifestLines(data.id)));
    for await (const line of manifest) {
      if (line.kind !== 'image') continue;
      const { item } = line;
      const path = `${item.name}${item.extension}`;
      if (firstTime(path, false)) yield file(path);
      for (const related of item.meta?.related_images ?? [])
        if (firstTime(related, true)) yield file(related);
    }
    return;
  }
  // Cloud media, or local data recorded without a manifest (nothing else names its uploads).
  for await (const image of catalog.data.images(data.id)) {
    if (firstTime(image.path, false)) yield file(image.path, image.byte_size);
    for (const related of image.related_files) if (firstTime(related, true)) yield file(related);
  }
}

/**
 * The manifest's header and the lines of the task's frames: item `start + k·step` up to `stop` is
 * frame k. Each kept line is checked against frame k's image row, so an archive never numbers a
 * frame with another file (its restore would put that frame's annotations on the wrong image).
 * Two cursors at once, each on its own pool connection (the exporter never runs in a transaction).
 */
async function* taskFramesOnly(
  catalog: Catalog,
  data: DataRecord,
  lines: AsyncIterable<string>,
): AsyncIterable<string> {
  const step = Number(/step\s*=\s*([1-9]\d*)/.exec(data.frame_filter)?.[1] ?? 1);
  const images = catalog.data.images(data.id)[Symbol.asyncIterator]();
  let lineNo = 0;
  let frame = 0;
  let video = false;
  try {
    for await (const line of lines) {
      const index = lineNo++ - 2;
      // CVAT copies a video's manifest whole (video never lies in a cloud storage there anyway).
      if (index === -1) video = (JSON.parse(line) as { type?: unknown }).type === 'video';
      if (index < 0 || video) {
        yield line;
        continue;
      }
      if (index < data.start_frame || index > data.stop_frame || (index - data.start_frame) % step !== 0)
        continue;
      const image = await images.next();
      const item = JSON.parse(line) as { name?: unknown; extension?: unknown };
      const named = `${item.name}${item.extension}`;
      if (image.done || image.value.path !== named)
        throw new AppError('BACKUP_TASK_MEDIA_INCONSISTENT', {
          taskId: data.task_id,
          frame,
          path: image.done ? 'no image' : image.value.path,
          named,
        });
      frame++;
      yield line;
    }
    const extra = video ? { done: true as const } : await images.next();
    if (!extra.done)
      throw new AppError('BACKUP_TASK_MEDIA_INCONSISTENT', {
        taskId: data.task_id,
        frame,
        path: extra.value.path,
        named: 'no line',
      });
  } finally {
    await images.return?.();
  }
}

async function hasLines(lines: AsyncIterable<string>): Promise<boolean> {
  for await (const _ of lines) return true;
  return false;
}

async function* withNewlines(lines: AsyncIterable<string>): AsyncIterable<string> {
  for await (const line of lines) yield `${line}\n`;
}
