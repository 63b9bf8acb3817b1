import type { Dirent } from 'node:fs';
import { readdir, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface EmptyFolderSweep {
  /** A local storage root (DATA_ROOT/media, DATA_ROOT/archives). */
  root: string;
  /** The folder under `root` (`/`-separated, no trailing slash) whose empty subfolders go. */
  folder: string;
  /** Whether `folder` itself goes too once empty (an orphan media folder), or stays (`schedules`). */
  removeSelf?: boolean;
  /** A folder modified more recently than this is kept, empty or not (0: any empty folder goes). */
  olderThanMs: number;
  /** Folders (relative to `root`, `/`-separated, no trailing slash) kept even when empty and old. */
  keep?: (folder: string) => boolean;
  now?: number;
}

/**
 * Removes the empty folders that deletions leave (the local driver deletes files, never folders):
 * emptied run folders of scheduled archives, media folders of deleted tasks. Deepest first, so a chain
 * of folders emptied long ago goes in one pass. A writer creates its folder, then its temp file in it:
 * a folder it just made is new and kept, one it is about to fill is not empty once the file exists
 * (`rmdir` refuses a folder that is not empty). Returns how many folders were removed.
 */
export async function sweepEmptyFolders(sweep: EmptyFolderSweep): Promise<number> {
  const before = (sweep.now ?? Date.now()) - sweep.olderThanMs;
  let removed = 0;
  const visit = async (folder: string): Promise<boolean> => {
    const full = path.join(sweep.root, folder);
    // The folder's age before this pass removed anything in it (removing a child touches it).
    const modified = (await stat(full).catch(() => undefined))?.mtimeMs;
    let entries: Dirent[];
    try {
      entries = await readdir(full, { withFileTypes: true });
    } catch {
      return false;
    }
    let left = entries.length;
    for (const entry of entries) if (entry.isDirectory() && (await visit(`${folder}/${entry.name}`))) left--;
    if (left > 0 || (folder === sweep.folder && !sweep.removeSelf)) return false;
    if (modified === undefined || (sweep.olderThanMs > 0 && modified >= before)) return false;
    if (sweep.keep?.(folder)) return false;
    try {
      await rmdir(full);
      removed++;
      return true;
    } catch {
      return false; // something arrived meanwhile (ENOTEMPTY), or it is gone already
    }
  };
  await visit(sweep.folder);
  return removed;
}

/** The folders directly under `<root>/<area>` as media keys (`imports/<hash>/`), in name order. */
export async function* subfolders(root: string, area: string): AsyncIterable<string> {
  const entries = await readdir(path.join(root, area), { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  for (const name of names.sort()) yield `${area}${name}/`;
}
