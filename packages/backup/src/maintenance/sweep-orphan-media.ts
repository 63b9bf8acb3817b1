import type { StorageDriver } from '@cvat-backup/storage';
import { importMediaPrefix } from '../import/archive-media.js';
import { sweepExpired } from './sweep-expired.js';

/** The folders of the local media storage that hold one task's media each. */
const MEDIA_AREAS = ['imports/', 'tasks/'] as const;

/**
 * Task folders of a project archive a live project import may be copying (`task_0/` … ): a project
 * restore copies every task's media before it commits, under a prefix per task. Past this many, only
 * the grace period protects a live import's folders.
 */
export const PROJECT_TASKS_PROTECTED = 10_000;

/** An import job the queue still holds (waiting, delayed or running): its id is the request id. */
export interface LiveImport {
  importRequestId: string;
  target: 'task' | 'project';
}

export interface OrphanMediaDependencies {
  media: StorageDriver;
  /** The folders directly under an area of the media storage (`imports/<hash>/`), from a directory listing. */
  folders(area: MediaArea): AsyncIterable<string>;
  /** Import jobs waiting, delayed or active in the import queue. */
  liveImports(): Promise<LiveImport[]>;
  /** Every media prefix of a task whose media are in the local storage (the catalog's task data). */
  referencedPrefixes(): AsyncIterable<string>;
  /** A folder with a file younger than this is kept, referenced or not. */
  graceMs: number;
  /**
   * Called with each orphan folder once its old files are gone (`deleted` of them; none for a folder
   * holding no file at all), so that the local storage can remove the empty folders left.
   */
  emptied?(folder: string, deleted: number): Promise<void>;
  now?: () => number;
}

export interface OrphanMediaCounts {
  /** Folders (`imports/<hash>/`, `tasks/<id>/`) unreferenced, not live and past the grace period, whose files went. */
  orphanFolders: number;
  orphanFiles: number;
}

/**
 * Deletes the media of restores that never committed (failed for good, or whose worker died too often)
 * and of tasks whose own deletion could not remove them: an `imports/<hash>/` or `tasks/<id>/` folder
 * that no task's data references, whose import is not live in the queue, and whose newest file is older
 * than the grace period.
 *
 * The order matters. Live imports are read first, then the task rows, then the files. An import that
 * commits its task after the rows were read was live when the queue was read (a job leaves `active`
 * only after its transaction committed), so its folders are skipped; one that starts later writes
 * files younger than the grace period, and so does an upload through the API (which has no job), and
 * a retry of a failed restore rewrites every file of its folder. Each file's age is checked again just
 * before it is deleted, so a file rewritten while the sweep ran is kept.
 */
export async function sweepOrphanMedia(deps: OrphanMediaDependencies): Promise<OrphanMediaCounts> {
  const now = deps.now ?? Date.now;
  const live = await deps.liveImports();
  const referenced = await referencedFolders(deps.referencedPrefixes());
  let liveFolders: Set<string> | undefined;
  const counts: OrphanMediaCounts = { orphanFolders: 0, orphanFiles: 0 };
  for (const area of MEDIA_AREAS)
    for await (const folder of deps.folders(area)) {
      if (referenced.has(folder) || (await hasFileSince(deps.media, folder, now() - deps.graceMs))) continue;
      // Hashing a live project's folders costs a little: only when an old import folder is found.
      if (area === 'imports/') liveFolders ??= liveImportFolders(live);
      if (liveFolders?.has(folder)) continue;
      const deleted = await sweepExpired(deps.media, folder, deps.graceMs, now());
      if (deleted > 0) counts.orphanFolders++;
      counts.orphanFiles += deleted;
      await deps.emptied?.(folder, deleted);
    }
  return counts;
}

export type MediaArea = (typeof MEDIA_AREAS)[number];

/** `imports/<hash>/` of `imports/<hash>/raw/`, `tasks/<id>/` of `tasks/<id>/<upload>/`; else undefined. */
export function mediaFolderOf(key: string): string | undefined {
  const area = MEDIA_AREAS.find((a) => key.startsWith(a));
  if (!area) return undefined;
  const end = key.indexOf('/', area.length);
  return end > area.length ? key.slice(0, end + 1) : undefined;
}

/**
 * The media folders the catalog references. A prefix shorter than a folder (`imports/`, say) would
 * hold every folder under it: nothing of that area is then swept.
 */
async function referencedFolders(prefixes: AsyncIterable<string>): Promise<{ has(folder: string): boolean }> {
  const folders = new Set<string>();
  const wide: string[] = [];
  for await (const prefix of prefixes) {
    if (prefix === '') continue; // names no folder: the storage root is never a task's media folder
    const folder = mediaFolderOf(prefix);
    if (folder) folders.add(folder);
    else wide.push(prefix);
  }
  return { has: (folder) => folders.has(folder) || wide.some((p) => folder.startsWith(p)) };
}

/** True when a file under `folder` was modified at `since` or later, or has no modification time. */
async function hasFileSince(media: StorageDriver, folder: string, since: number): Promise<boolean> {
  for await (const page of media.list(folder))
    if (page.some((entry) => !entry.mtime || entry.mtime.getTime() >= since)) return true;
  return false;
}

/** Where each live import copies media: one folder for a task, one per archived task for a project. */
function liveImportFolders(live: LiveImport[]): Set<string> {
  const folders = new Set<string>();
  for (const { importRequestId, target } of live) {
    folders.add(mediaFolderOf(importMediaPrefix(`${importRequestId}#`))!);
    if (target === 'project')
      for (let i = 0; i < PROJECT_TASKS_PROTECTED; i++)
        folders.add(mediaFolderOf(importMediaPrefix(`${importRequestId}#task_${i}/`))!);
  }
  return folders;
}
