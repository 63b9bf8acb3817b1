import type { DataRecord, ProjectBackupView, TaskBackupView } from '@cvat-backup/catalog';
import { defaultBackupFileName, sanitizeBackupFileName } from '@cvat-backup/format';
import type { StorageDriver } from '@cvat-backup/storage';
import { mediaModeOf } from '../export/archive-task-meta.js';
import { exportProject, loadProjectView } from '../export/project-exporter.js';
import { type ExportDependencies, exportTask, loadTaskView } from '../export/task-exporter.js';

export interface ExportRun {
  target: 'task' | 'project';
  id: number;
  /** As resolved by the API: only meaningful for cloud-backed data. */
  lightweight: boolean;
  destination: { location: 'local' } | { location: 'cloud_storage'; cloudStorageId: number };
  /** Custom name; the CVAT default mask otherwise. */
  filename?: string;
  /** A key the caller owns (a schedule's archives): written there, never served from a reused archive. */
  key?: string;
}

export interface ExportRunDependencies extends ExportDependencies {
  /** Where archives for local download are kept. */
  archives: StorageDriver;
  /** A local archive of the same resource state younger than this is served again, not rebuilt. */
  reuseWithinMs: number;
  now?: () => Date;
}

export interface ExportProgress {
  phase: 'reading' | 'writing-media' | 'writing-annotations' | 'committing' | 'done';
  bytes: number;
  entries: number;
}

/** What a finished export produced (kept as the job's result: plain JSON). */
export interface ExportOutcome {
  location: 'local' | 'cloud_storage';
  cloudStorageId: number | null;
  /** Key of the archive in its storage (the archive store for local, the bucket for cloud). */
  key: string;
  /** The name users see (Content-Disposition, or the object name in the bucket). */
  filename: string;
  size: number;
  /** The resource's updated_date the archive reflects. */
  resourceUpdatedDate: string;
  /** True when some media were left out (lightweight backup of cloud data). */
  lightweight: boolean;
  /** True when an archive of the same state was reused instead of rebuilt. */
  reused: boolean;
}

type View =
  | { kind: 'task'; view: TaskBackupView & { data: DataRecord } }
  | { kind: 'project'; view: ProjectBackupView };

/** Local archives are named by what they contain: the same resource state maps to the same key. */
export function localArchiveKey(
  target: 'task' | 'project',
  id: number,
  updated: Date,
  lightweight: boolean,
): string {
  return `${target}-${id}/${updated.getTime()}${lightweight ? '-lightweight' : ''}.zip`;
}

/**
 * One export, start to end: read the resource, pick the destination and the name, reuse a fresh local
 * archive of the same state or stream a new one into an atomic write, commit it. A failure or a crash
 * leaves nothing under the final key (the write is aborted, or never committed).
 */
export async function runExport(
  deps: ExportRunDependencies,
  run: ExportRun,
  onProgress: (p: ExportProgress) => void = () => {},
): Promise<ExportOutcome> {
  onProgress({ phase: 'reading', bytes: 0, entries: 0 });
  const loaded: View =
    run.target === 'task'
      ? { kind: 'task', view: await loadTaskView(deps.catalog, run.id) }
      : { kind: 'project', view: await loadProjectView(deps.catalog, run.id) };
  const updated = loaded.kind === 'task' ? loaded.view.task.updated_date : loaded.view.project.updated_date;
  const name = loaded.kind === 'task' ? loaded.view.task.name : loaded.view.project.name;
  const lightweight =
    run.lightweight &&
    (loaded.kind === 'project' || mediaModeOf(loaded.view.data, true) === 'cloud-lightweight');
  const filename = run.filename
    ? sanitizeBackupFileName(run.filename)
    : defaultBackupFileName({ kind: run.target, name, updatedDate: updated, lightweight });

  const local = run.destination.location === 'local';
  const cloudStorageId = run.destination.location === 'cloud_storage' ? run.destination.cloudStorageId : null;
  const driver = cloudStorageId === null ? deps.archives : await deps.cloudStorage(cloudStorageId);
  const key = run.key ?? (local ? localArchiveKey(run.target, run.id, updated, lightweight) : filename);
  const base = {
    location: run.destination.location,
    cloudStorageId,
    key,
    filename,
    resourceUpdatedDate: updated.toISOString(),
    lightweight,
  };

  if (local && run.key === undefined) {
    const existing = await deps.archives.head(key);
    const now = (deps.now?.() ?? new Date()).getTime();
    if (existing?.mtime && now - existing.mtime.getTime() < deps.reuseWithinMs) {
      onProgress({ phase: 'done', bytes: existing.size, entries: 0 });
      return { ...base, size: existing.size, reused: true };
    }
  }

  const write = driver.openWrite(key, { contentType: 'application/zip' });
  try {
    let last = { bytes: 0, entries: 0 };
    const options = {
      lightweight: run.lightweight,
      onProgress: (p: { entries: number; bytes: number; entry: string }) => {
        last = p;
        onProgress({
          phase: /(^|\/)data\//.test(p.entry) ? 'writing-media' : 'writing-annotations',
          bytes: p.bytes,
          entries: p.entries,
        });
      },
    };
    if (loaded.kind === 'task') await exportTask(deps, loaded.view, write, options);
    else await exportProject(deps, loaded.view, write, options);
    onProgress({ phase: 'committing', bytes: last.bytes, entries: last.entries });
    const committed = await write.commit();
    onProgress({ phase: 'done', bytes: committed.size, entries: 0 });
    return { ...base, size: committed.size, reused: false };
  } catch (err) {
    await write.abort(err).catch(() => {});
    throw err;
  }
}
