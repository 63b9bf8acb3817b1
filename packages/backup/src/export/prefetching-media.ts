import type { Readable } from 'node:stream';
import type { MediaInput } from '@cvat-backup/format';
import type { StorageDriver } from '@cvat-backup/storage';

/** A file of the task's data: where it goes under `data/` and where it is in storage. */
export interface MediaFile {
  path: string;
  key: string;
  size?: number;
}

/** Joins a storage prefix (`tasks/1/raw/`, `tasks/1/raw` or empty) and a relative path. */
export function joinKey(prefix: string, path: string): string {
  if (!prefix) return path;
  return prefix.endsWith('/') ? `${prefix}${path}` : `${prefix}/${path}`;
}

/**
 * Media entries for the archive writer, with the next `depth` objects already requested while the
 * current one streams: object stores answer slowly per request, so parallel GETs keep the zip fed.
 * Memory stays bounded: each pending stream holds at most its own high-water mark until read.
 * Streams opened ahead but never used (the writer failed or stopped) are destroyed. A driver whose
 * objects are files hands them over as open files instead.
 */
export async function* prefetchingMedia(
  files: AsyncIterable<MediaFile> | Iterable<MediaFile>,
  driver: StorageDriver,
  depth: number,
): AsyncIterable<MediaInput> {
  const openFile = driver.openFile?.bind(driver);
  if (openFile) {
    // Files open in microseconds: nothing to request ahead, and the writer copies an open file
    // with positional reads into recycled buffers, about twice as fast as a stream.
    for await (const file of files) {
      yield {
        path: file.path,
        ...(file.size === undefined ? {} : { size: file.size }),
        open: () => driver.read(file.key),
        openFile: () => openFile(file.key),
      };
    }
    return;
  }
  const window: Array<{ file: MediaFile; stream: Promise<Readable> }> = [];
  const iterator = (
    Symbol.asyncIterator in files ? files[Symbol.asyncIterator]() : toAsync(files as Iterable<MediaFile>)
  ) as AsyncIterator<MediaFile>;
  let exhausted = false;

  const fill = async (size: number) => {
    while (!exhausted && window.length < size) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const stream = driver.read(next.value.key);
      // Marked handled now; the error surfaces when the writer opens this entry.
      stream.catch(() => {});
      window.push({ file: next.value, stream });
    }
  };

  try {
    for (;;) {
      await fill(depth + 1);
      const current = window.shift();
      if (!current) return;
      let opened = false;
      yield {
        path: current.file.path,
        ...(current.file.size === undefined ? {} : { size: current.file.size }),
        open: () => {
          opened = true;
          return current.stream;
        },
      };
      if (!opened)
        current.stream.then(
          (s) => s.destroy(),
          () => {},
        );
    }
  } finally {
    for (const pending of window.splice(0))
      pending.stream.then(
        (s) => s.destroy(),
        () => {},
      );
    await iterator.return?.();
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}
