import type { Many } from '../json/annotations-writer.js';
import { isReadableFile, type ReadableFile } from '../zip/file-chunks.js';
import type { FileInput } from './archive-input.js';

export interface OpenedFile<T extends FileInput> {
  file: T;
  /** What `openFile()` gave when the input has it, else what `open()` gave. */
  stream: Awaited<ReturnType<FileInput['open']>> | ReadableFile;
}

/** Opens an input the fastest way it offers. */
export function openInput(file: FileInput): Promise<OpenedFile<FileInput>['stream']> {
  return file.openFile ? file.openFile() : file.open();
}

async function close(stream: OpenedFile<FileInput>['stream'] | undefined): Promise<void> {
  if (!stream) return;
  if (isReadableFile(stream)) await stream.close();
  else if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
  else void (stream as AsyncGenerator<unknown>).return?.(undefined);
}

/**
 * Yields each accepted file with its stream already open, and opens the next one while the
 * current one is being written: per-file latency (stat, open, first read; a round trip for
 * object storage) overlaps with copying instead of adding up. At most one file is open ahead.
 * `accept` may throw to refuse a file; it runs before the file is opened.
 */
export async function* openAhead<T extends FileInput>(
  files: Many<T>,
  accept: (file: T) => boolean,
): AsyncGenerator<OpenedFile<T>> {
  const iterator =
    Symbol.asyncIterator in files
      ? (files as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (files as Iterable<T>)[Symbol.iterator]();
  const pull = async (): Promise<OpenedFile<T> | undefined> => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return undefined;
      if (accept(next.value)) return { file: next.value, stream: await openInput(next.value) };
    }
  };
  let pending = pull();
  // Rejections are observed when the promise is awaited; this only stops them counting as unhandled.
  pending.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const current = await pending;
      if (!current) {
        finished = true;
        return;
      }
      pending = pull();
      pending.catch(() => undefined);
      yield current;
    }
  } finally {
    if (!finished) {
      await close((await pending.catch(() => undefined))?.stream);
      await iterator.return?.();
    }
  }
}
