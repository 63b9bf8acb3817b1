import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { WriteSink } from '../core/sink-write.js';
import type { CommitResult } from '../storage-driver.js';

/** Temp files carry this marker so listings skip them and the sweep finds them. */
export const TEMP_MARKER = '.cvb-tmp-';

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARKER);
}

/** Fsyncs a directory, so a rename in it survives a power loss. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes into a temp file beside the target; commit is fsync → rename → fsync of the directory,
 * so the target is either the old file or the whole new one, even across a crash.
 */
export class LocalFileSink implements WriteSink {
  private opening: Promise<FileHandle> | undefined;
  private aborted = false;
  private readonly temp: string;
  private size = 0;

  /** `preflight` runs before the first byte: the root must exist; only folders below it are made. */
  constructor(
    private readonly target: string,
    private readonly preflight: () => Promise<void>,
  ) {
    const dir = path.dirname(target);
    this.temp = path.join(dir, `.${path.basename(target)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
  }

  async write(chunk: Buffer): Promise<void> {
    const handle = await this.opened();
    let done = 0;
    while (done < chunk.length) {
      const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
      done += bytesWritten;
    }
    this.size += chunk.length;
  }

  async commit(): Promise<CommitResult> {
    const handle = await this.opened();
    await handle.sync();
    await handle.close();
    await rename(this.temp, this.target);
    await syncDirectory(path.dirname(this.target));
    return { size: this.size };
  }

  /**
   * Waits for an open still in flight (a write may be pending while the stream is destroyed), so
   * the temp file it creates is removed here rather than left for the sweep.
   */
  async abort(): Promise<void> {
    this.aborted = true;
    if (!this.opening) return;
    const handle = await this.opening.catch(() => undefined);
    await handle?.close().catch(() => {});
    await unlink(this.temp).catch(() => {});
  }

  private opened(): Promise<FileHandle> {
    if (this.aborted) return Promise.reject(new Error('the write was aborted'));
    this.opening ??= (async () => {
      await this.preflight();
      await mkdir(path.dirname(this.target), { recursive: true });
      return open(this.temp, 'wx', 0o640);
    })();
    return this.opening;
  }
}
