import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What a second run needs to resume an interrupted upload of the same file. */
export interface UploadState {
  /** The TUS chunk URL the server answered on creation. */
  location: string;
  /** The file id (`Upload-Filename`) that Upload-Finish names. */
  fileId: string;
}

/** Identifies one upload: the same file (path, size, mtime) to the same server and kind. */
export interface UploadKey {
  server: string;
  target: 'task' | 'project';
  file: string;
  size: number;
  mtimeMs: number;
}

/**
 * One small JSON file per interrupted upload under the state directory, named by a hash of the
 * key, so a changed file (other size or mtime) never resumes into a stale upload.
 */
export class UploadStateStore {
  constructor(private readonly dir: string) {}

  private fileOf(key: UploadKey): string {
    const id = createHash('sha256')
      .update(JSON.stringify([key.server, key.target, path.resolve(key.file), key.size, key.mtimeMs]))
      .digest('hex')
      .slice(0, 32);
    return path.join(this.dir, `${id}.json`);
  }

  async get(key: UploadKey): Promise<UploadState | undefined> {
    try {
      const value = JSON.parse(await readFile(this.fileOf(key), 'utf8')) as Partial<UploadState>;
      if (typeof value.location === 'string' && typeof value.fileId === 'string')
        return { location: value.location, fileId: value.fileId };
    } catch {
      // missing or unreadable: start a new upload
    }
    return undefined;
  }

  async put(key: UploadKey, state: UploadState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(key);
    await writeFile(`${file}.tmp`, JSON.stringify(state), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  async delete(key: UploadKey): Promise<void> {
    await rm(this.fileOf(key), { force: true });
  }
}
