import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isTempName } from './local-write.js';

/**
 * Removes temp files (left by crashed writes) last modified more than `olderThanMs` ago, anywhere
 * under `root`. A live write touches its temp file with every chunk, so a bound well above the
 * longest pause between chunks never removes one in use. Returns how many were removed.
 */
export async function sweepTempFiles(root: string, olderThanMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  const visit = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else if (entry.isFile() && isTempName(entry.name)) {
        const info = await stat(full).catch(() => undefined);
        if (
          info &&
          now - info.mtimeMs > olderThanMs &&
          (await unlink(full).then(
            () => true,
            () => false,
          ))
        )
          removed++;
      }
    }
  };
  await visit(root);
  return removed;
}
