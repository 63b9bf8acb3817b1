import type { Readable } from 'node:stream';
import { AppError } from '@cvat-backup/common';
import { duplicateLabelProblem, type Label } from '../schema/label.schema.js';
import { type ProjectMeta, projectMetaSchema } from '../schema/project-meta.schema.js';
import { type TaskMeta, taskMetaSchema } from '../schema/task-meta.schema.js';
import type { RandomAccessSource } from '../zip/random-access-source.js';
import type { ZipEntry, ZipLimits } from '../zip/zip-entry.js';
import { ZipReader } from '../zip/zip-reader.js';
import { type AnnotationEvent, readAnnotationEvents } from './annotations-reader.js';
import { readVersionedJson } from './archive-json.js';
import { checkRestorablePath } from './restorable-path.js';
import { type VerifyReport, verifyArchive } from './verify.js';

/** A file inside the archive: media under `data/`, or a guide asset. */
export interface ArchiveFile {
  /** Path relative to `data/` (media) or `assets/` (guide assets). */
  path: string;
  /** Full entry name in the zip. */
  entry: string;
  size: number;
  mtime: Date;
  /** Streams the content; the stream errors if it does not match its CRC-32. */
  open(): Promise<Readable>;
}

export interface ArchiveGuide {
  /** Markdown as stored: asset links read `assets/<filename>` (with the `task_<n>/` prefix in projects). */
  markdown: string;
  assets: ArchiveFile[];
}

export interface AnnotationSummary {
  jobs: number;
  tags: number;
  shapes: number;
  tracks: number;
}

/** One task of a backup (the whole of a task backup, or `task_<n>/` of a project backup). */
export interface TaskContent {
  /** `task_<index>/` position in a project backup; undefined in a task backup. */
  index?: number;
  /** `""` or `task_<n>/`. */
  prefix: string;
  /** `task.json`, every era normalised to the newest shape. */
  meta: TaskMeta;
  /** Files under `data/` (minus `data/index.json`), in archive order. */
  media: ArchiveFile[];
  guide?: ArchiveGuide;
  /** Streams `annotations.json` event by event, validated and checked against the labels. */
  annotations(): AsyncGenerator<AnnotationEvent>;
  /** Reads all annotations once without keeping them: the whole check, before restoring anything. */
  validateAnnotations(): Promise<AnnotationSummary>;
}

interface ArchiveCommon {
  zip: ZipReader;
  /** Reads every entry: CRCs, and SHA-256 when the archive has an integrity manifest. */
  verify(): Promise<VerifyReport>;
  close(): Promise<void>;
}

export interface TaskBackup extends ArchiveCommon {
  kind: 'task';
  task: TaskContent;
}

export interface ProjectBackup extends ArchiveCommon {
  kind: 'project';
  project: ProjectMeta;
  guide?: ArchiveGuide;
  /** Tasks in ascending `task_<n>` order (gaps possible). */
  tasks: TaskContent[];
}

export type BackupArchive = TaskBackup | ProjectBackup;

export interface OpenBackupOptions {
  /** Refuse the other kind with `ARCHIVE_IS_PROJECT` / `ARCHIVE_IS_TASK`. */
  expect?: 'task' | 'project';
  limits?: Partial<ZipLimits>;
  /** Largest `task.json`/`project.json`/guide accepted. Default 256 MiB. */
  maxJsonBytes?: number;
  /** Largest single annotation (one tag/shape/track) accepted. Default 64 MiB. */
  maxItemBytes?: number;
}

const TASK_DIR = /^task_(\d+)\//;

function file(zip: ZipReader, entry: ZipEntry, path: string): ArchiveFile {
  checkRestorablePath(entry.name, path);
  return { path, entry: entry.name, size: entry.size, mtime: entry.mtime, open: () => zip.openEntry(entry) };
}

async function readGuide(
  zip: ZipReader,
  prefix: string,
  maxBytes: number,
): Promise<ArchiveGuide | undefined> {
  const md = zip.get(`${prefix}annotation_guide.md`);
  if (!md) return undefined;
  const markdown = (await zip.readEntry(md, maxBytes)).toString('utf8');
  const assetPrefix = `${prefix}assets/`;
  const assets = zip.entries
    .filter((e) => e.name.startsWith(assetPrefix))
    .map((e) => file(zip, e, e.name.slice(assetPrefix.length)));
  return { markdown, assets };
}

async function readTask(
  zip: ZipReader,
  prefix: string,
  options: OpenBackupOptions,
  projectLabels?: readonly Label[],
): Promise<TaskContent> {
  const maxJson = options.maxJsonBytes ?? 256 << 20;
  const meta = await readVersionedJson(zip, `${prefix}task.json`, taskMetaSchema, maxJson);
  const duplicate = duplicateLabelProblem(meta.labels as Label[]);
  if (duplicate)
    throw new AppError('ARCHIVE_SCHEMA_INVALID', { entry: `${prefix}task.json`, problems: duplicate });
  const annotationsEntry = zip.get(`${prefix}annotations.json`);
  if (!annotationsEntry)
    throw new AppError('ARCHIVE_MISSING_ENTRY', { entry: `${prefix}annotations.json`, kind: 'task' });
  const dataPrefix = `${prefix}data/`;
  const media = zip.entries
    .filter((e) => e.name.startsWith(dataPrefix) && e.name !== `${dataPrefix}index.json`)
    .map((e) => file(zip, e, e.name.slice(dataPrefix.length)));
  if (meta.data.storage === 'cloud_storage' && (media.length !== 1 || media[0]!.path !== 'manifest.jsonl')) {
    throw new AppError('ARCHIVE_SCHEMA_INVALID', {
      entry: `${prefix}task.json`,
      problems: 'a lightweight backup (storage "cloud_storage") must contain exactly data/manifest.jsonl',
    });
  }
  if (meta.data.custom_segments) {
    const missing = meta.jobs.findIndex((j) => j.type === 'annotation' && j.files === undefined);
    if (missing >= 0) {
      throw new AppError('ARCHIVE_SCHEMA_INVALID', {
        entry: `${prefix}task.json`,
        problems: `jobs.${missing}: custom segments need the job's "files"`,
      });
    }
  }
  const labels = projectLabels ?? (meta.labels as Label[]);
  const readOptions = {
    labels,
    jobCount: meta.jobs.length,
    entry: annotationsEntry.name,
    ...(options.maxItemBytes === undefined ? {} : { maxItemBytes: options.maxItemBytes }),
  };
  const annotations = async function* () {
    yield* readAnnotationEvents(await zip.openEntry(annotationsEntry), readOptions);
  };
  const guide = await readGuide(zip, prefix, maxJson);
  const task: TaskContent = {
    prefix,
    meta,
    media,
    annotations,
    async validateAnnotations() {
      const summary: AnnotationSummary = { jobs: 0, tags: 0, shapes: 0, tracks: 0 };
      for await (const event of annotations()) {
        if (event.kind === 'job-start') summary.jobs++;
        else if (event.kind === 'tag') summary.tags++;
        else if (event.kind === 'shape') summary.shapes++;
        else if (event.kind === 'track') summary.tracks++;
      }
      return summary;
    },
  };
  if (guide) task.guide = guide;
  return task;
}

/**
 * Opens a CVAT backup for restoring: validates the zip structure (paths, links, duplicates,
 * sizes, ratios, encryption, methods), tells a task backup from a project backup, and reads and
 * normalises `task.json`/`project.json` of every era. Nothing is extracted; media and
 * annotations stream from the returned handles. `close()` closes the source; when opening fails
 * the source stays open and the caller closes it.
 */
export async function openBackup(
  source: RandomAccessSource,
  options: OpenBackupOptions = {},
): Promise<BackupArchive> {
  const zip = await ZipReader.open(source, options.limits);
  const hasTask = zip.get('task.json') !== undefined;
  const hasProject = zip.get('project.json') !== undefined;
  const kind =
    options.expect === 'project'
      ? hasProject
        ? 'project'
        : hasTask
          ? 'task'
          : undefined
      : hasTask
        ? 'task'
        : hasProject
          ? 'project'
          : undefined;
  if (kind === undefined) throw new AppError('ARCHIVE_NOT_A_BACKUP');
  if (options.expect === 'task' && kind === 'project') throw new AppError('ARCHIVE_IS_PROJECT');
  if (options.expect === 'project' && kind === 'task') throw new AppError('ARCHIVE_IS_TASK');
  const common = { zip, verify: () => verifyArchive(zip), close: () => zip.close() };
  if (kind === 'task') return { kind, ...common, task: await readTask(zip, '', options) };

  const maxJson = options.maxJsonBytes ?? 256 << 20;
  const project = await readVersionedJson(zip, 'project.json', projectMetaSchema, maxJson);
  const duplicate = duplicateLabelProblem(project.labels as Label[]);
  if (duplicate) throw new AppError('ARCHIVE_SCHEMA_INVALID', { entry: 'project.json', problems: duplicate });
  const indexes = new Set<number>();
  for (const entry of zip.entries) {
    const match = TASK_DIR.exec(entry.name);
    if (match) indexes.add(Number(match[1]));
  }
  const tasks: TaskContent[] = [];
  for (const index of [...indexes].sort((a, b) => a - b)) {
    const prefix = `task_${index}/`;
    const task = await readTask(zip, prefix, options, project.labels as Label[]);
    tasks.push({ ...task, index });
  }
  const guide = await readGuide(zip, '', maxJson);
  const backup: ProjectBackup = { kind, ...common, project, tasks };
  if (guide) backup.guide = guide;
  return backup;
}
