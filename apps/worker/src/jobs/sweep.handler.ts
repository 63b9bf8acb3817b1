import {
  type LiveImport,
  scheduledLocalKey,
  sweepExpired,
  sweepOrphanMedia,
  sweepUnrecordedArchives,
} from '@cvat-backup/backup';
import type { Catalog } from '@cvat-backup/catalog';
import type { Logger } from '@cvat-backup/common';
import { parseRequestId } from '@cvat-backup/queue';
import type { LocalDriver } from '@cvat-backup/storage';
import type { Queue } from 'bullmq';
import { subfolders, sweepEmptyFolders } from './local-folders.js';

export interface SweepDependencies {
  archives: LocalDriver;
  staging: LocalDriver;
  localMedia: LocalDriver;
  /** The directories of the local drivers above: emptied folders are removed there. */
  roots: { archives: string; media: string };
  catalog: Pick<Catalog, 'data' | 'schedules'>;
  /** The import queue: media of its live jobs are never orphans. */
  imports: Pick<Queue, 'getRanges'>;
  /** Archives live this long: a result's TTL plus the reuse window (a reused archive outlives its new result). */
  archiveMaxAgeMs: number;
  stagingMaxAgeMs: number;
  /** Unreferenced media and unrecorded scheduled archives younger than this are kept. */
  orphanGraceMs: number;
  logger: Logger;
}

/** Temp files of interrupted writes older than this are debris (a live write touches its file constantly). */
const TEMP_MAX_AGE_MS = 3600_000;
const leftovers = { olderThanMs: TEMP_MAX_AGE_MS };

/** Every state in which an import job may still copy media, or will. */
const LIVE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * One sweep: expired archives, stale uploads, temp files that crashed writes left behind, media no task
 * references, scheduled archives no row records, and the empty folders all these deletions leave.
 */
export function sweepHandler(deps: SweepDependencies) {
  return async () => {
    const counts = {
      archives: await sweepExpired(deps.archives, '', deps.archiveMaxAgeMs),
      staged: await sweepExpired(deps.staging, '', deps.stagingMaxAgeMs),
      tempFiles:
        (await deps.archives.sweepIncomplete(leftovers)) +
        (await deps.staging.sweepIncomplete(leftovers)) +
        (await deps.localMedia.sweepIncomplete(leftovers)),
      orphanFolders: 0,
      orphanFiles: 0,
      unrecordedArchives: 0,
      emptyFolders: 0,
    };
    const orphans = await sweepOrphanMedia({
      media: deps.localMedia,
      folders: (area) => subfolders(deps.roots.media, area),
      liveImports: () => liveImports(deps.imports),
      referencedPrefixes: () => deps.catalog.data.localMediaPrefixes(),
      graceMs: deps.orphanGraceMs,
      // An orphan's files were all old: its folders go at once. A folder that never held a file waits
      // for the grace period (an upload may have just made it).
      emptied: async (folder, deleted) => {
        counts.emptyFolders += await sweepEmptyFolders({
          root: deps.roots.media,
          folder: folder.slice(0, -1),
          removeSelf: true,
          olderThanMs: deleted > 0 ? 0 : deps.orphanGraceMs,
        });
      },
    });
    Object.assign(counts, orphans);
    counts.unrecordedArchives = await sweepUnrecordedArchives({
      archives: deps.archives,
      schedules: deps.catalog.schedules,
      graceMs: deps.orphanGraceMs,
    });
    // Run folders emptied by retention or by the sweep above; a running run's is kept for its exports.
    const running = new Set(
      // The run's folder as its archives' keys name it, without the trailing slash.
      (await deps.catalog.schedules.runningRuns()).map((r) =>
        scheduledLocalKey(r.schedule_id, r.id, '').slice(0, -1),
      ),
    );
    counts.emptyFolders += await sweepEmptyFolders({
      root: deps.roots.archives,
      folder: 'schedules',
      olderThanMs: deps.orphanGraceMs,
      keep: (folder) => running.has(folder),
    });
    deps.logger.info(counts, 'sweep done');
    return counts;
  };
}

/** The import jobs still in the queue; an id that is not ours is read as a project's (more folders kept). */
async function liveImports(imports: Pick<Queue, 'getRanges'>): Promise<LiveImport[]> {
  const ids = await imports.getRanges([...LIVE_STATES]);
  return [...new Set(ids)].map((id) => {
    const key = parseRequestId(id);
    return { importRequestId: id, target: key?.action === 'import' ? key.target : 'project' };
  });
}
