import {
  type Catalog,
  type CatalogTransaction,
  checkImageRow,
  type GuideOwner,
  type NewData,
  type ProjectRecord,
} from '@cvat-backup/catalog';
import { AppError } from '@cvat-backup/common';
import type { ArchiveGuide, TaskContent, TaskMeta } from '@cvat-backup/format';
import type { StorageDriver } from '@cvat-backup/storage';
import {
  checkCopiedMedia,
  copyMedia,
  frameRange,
  importMediaPrefix,
  manifestFile,
  manifestImages,
  manifestLines,
} from './archive-media.js';
import {
  manifestType,
  readVideoManifest,
  refuseVideoWithoutManifest,
  videoData,
  videoFile,
  videoFrames,
} from './archive-video.js';
import { dataFields } from './catalog-data.js';
import { segmentGeometry, segmentsOf } from './catalog-jobs.js';
import { LabelIds, toLabelInputs } from './catalog-labels.js';
import { checkAnnotations, checkArchiveLabels, checkGuide, checkTaskRows } from './catalog-preflight.js';
import { assetContentType, assetFilename } from './guide-assets.js';
import { removeUncommittedMedia } from './import-media-cleanup.js';
import { JobFrames } from './job-frames.js';
import { missingInProject } from './label-compatibility.js';
import { FrameDimension, imagesDimension } from './task-dimension.js';

export interface ImportDependencies {
  catalog: Catalog;
  /** Where restored media go (the storage of tasks with local data). */
  localMedia: StorageDriver;
  copyConcurrency?: number;
}

export interface TaskImportRequest {
  /** The importing user: owner of what is created. */
  userId: number;
  /** The idempotency key: a retried import finds what the first attempt committed. */
  importRequestId: string;
  /** Restore into this existing project (its labels are used; the task must share its tasks' dimension). */
  projectId?: number;
  onProgress?: (progress: {
    phase: 'validating' | 'restoring-media' | 'restoring-records';
    bytes: number;
  }) => void;
}

export interface ImportResult {
  id: number;
  /** False when an earlier attempt of the same request had already committed it. */
  created: boolean;
}

/**
 * Restores one task from a backup. Everything is checked before anything is written, the catalog's
 * rules included (checkTask); media are copied under a prefix derived from the request id; then one
 * transaction creates the task, its labels, data, jobs and annotations, so a crash at any point
 * leaves either nothing visible or the whole task. A committed task has every media file it names:
 * under the request's lock, before any row, the transaction checks that each copied file is still
 * there with the archive's size, since a failed attempt of the same request (BullMQ may run two at
 * once) removes what lies under the prefix; if one went, nothing is written and the attempt fails
 * with BACKUP_RESTORE_MEDIA_INCOMPLETE, retryable, so the retry copies again. A failure once the
 * copy began removes the copied media unless an attempt committed them (a crash leaves them to the
 * orphan sweep of imports/<hash>/).
 */
export async function importTask(
  deps: ImportDependencies,
  content: TaskContent,
  request: TaskImportRequest,
): Promise<ImportResult> {
  const { catalog } = deps;
  const existing = await catalog.tasks.findByImportRequestId(request.importRequestId);
  if (existing) return { id: existing.id, created: false };

  const actor = { id: request.userId, isAdmin: false };
  let project: ProjectRecord | undefined;
  if (request.projectId !== undefined) {
    const projectLabels = await catalog.labels.tree({ projectId: request.projectId });
    project = (await catalog.projects.get(actor, request.projectId)) ?? undefined;
    if (!project) throw new AppError('BACKUP_PROJECT_NOT_FOUND', { projectId: request.projectId });
    const problem = missingInProject(content.meta.labels, projectLabels);
    if (problem) throw new AppError('BACKUP_LABELS_MISMATCH', { projectId: request.projectId, problem });
  }
  request.onProgress?.({ phase: 'validating', bytes: 0 });
  const dimension = await checkTask(content, { createsLabels: request.projectId === undefined });
  if (project) checkProjectDimension(project, content, dimension);
  checkGuide(catalog.guides, content.guide);
  try {
    const prepared = await copyTaskMedia(deps, content, request);
    request.onProgress?.({ phase: 'restoring-records', bytes: 0 });
    return await catalog.transaction(async (tx) => {
      await tx.lockImportRequest(request.importRequestId);
      const again = await tx.tasks.findByImportRequestId(request.importRequestId);
      if (again) return { id: again.id, created: false };
      await checkTaskMedia(deps, content, prepared);
      // Again: a task may have joined the project while the media were copied.
      const now = project && (await tx.projects.get(actor, project.id));
      if (now) checkProjectDimension(now, content, dimension);
      const id = await createTask(tx, content, { ...request, ...prepared, actor });
      return { id, created: true };
    });
  } catch (err) {
    await removeUncommittedMedia(deps, request.importRequestId, [taskMediaPrefix(request, content)], (tx) =>
      tx.tasks.findByImportRequestId(request.importRequestId),
    );
    throw err;
  }
}

/**
 * A task restored into an existing project takes that project's dimension, as CVAT requires: its
 * _create_thread refuses a task whose dimension differs from the project's first task ("Dimension
 * (3d) of the task must be the same as other tasks in project (2d)"), and a project without tasks
 * takes either. The project's dimension is that of its first task with data (ProjectRecord).
 */
function checkProjectDimension(project: ProjectRecord, content: TaskContent, dimension: '2d' | '3d'): void {
  if (project.dimension === null || project.dimension === dimension) return;
  throw new AppError('BACKUP_PROJECT_DIMENSION_MISMATCH', {
    task: `"${content.meta.name}"`,
    dimension: dimension.toUpperCase(),
    project: `"${project.name}" (#${project.id})`,
    projectDimension: project.dimension.toUpperCase(),
  });
}

/** Where a task's media go: derived from the request id and the task's place in the archive. */
export function taskMediaPrefix(
  request: Pick<TaskImportRequest, 'importRequestId'>,
  content: TaskContent,
): string {
  return importMediaPrefix(`${request.importRequestId}#${content.prefix}`);
}

/**
 * Copies a task's media (none for a lightweight backup) under a prefix derived from the request id
 * and the task's place in the archive; returns where they went.
 */
export async function copyTaskMedia(
  deps: ImportDependencies,
  content: TaskContent,
  request: Pick<TaskImportRequest, 'importRequestId' | 'onProgress'>,
): Promise<{ prefix: string; lightweight: boolean }> {
  const prefix = taskMediaPrefix(request, content);
  const lightweight = content.meta.data.storage === 'cloud_storage';
  if (!lightweight) {
    let copied = 0;
    await copyMedia(content, deps.localMedia, prefix, deps.copyConcurrency ?? 4, (bytes) => {
      copied += bytes;
      request.onProgress?.({ phase: 'restoring-media', bytes: copied });
    });
  }
  return { prefix, lightweight };
}

/**
 * Under the request's lock, before the task's rows: every file the copy wrote is still there (a
 * lightweight backup copied none). See importTask.
 */
export async function checkTaskMedia(
  deps: ImportDependencies,
  content: TaskContent,
  where: { prefix: string; lightweight: boolean },
): Promise<void> {
  if (!where.lightweight) await checkCopiedMedia(content, deps.localMedia, where.prefix);
}

/**
 * Everything that can be wrong with a task backup, found before anything is written: the format's
 * checks and the catalog's rules. `createsLabels`: the restore creates the task's labels (a task
 * backup restored on its own; by default, when the task is not part of a project backup).
 * Returns the dimension the task will be restored with (a project restore compares its tasks').
 */
export async function checkTask(
  content: TaskContent,
  options: { createsLabels?: boolean } = {},
): Promise<'2d' | '3d'> {
  const { meta } = content;
  const manifest = manifestFile(content);
  let videoRow: Partial<NewData> | undefined;
  if (meta.data.storage === 'cloud_storage') {
    if (!manifest || content.media.length !== 1)
      throw new AppError('BACKUP_LIGHTWEIGHT_MEDIA', { count: content.media.length });
    if ((await manifestType(manifest)) === 'video')
      throw new AppError('BACKUP_UNSUPPORTED_MEDIA', {
        reason: 'it is a lightweight backup of a video task, but CVAT keeps only images in cloud storages',
      });
  } else if (!manifest) {
    refuseVideoWithoutManifest(content);
    throw new AppError('BACKUP_MANIFEST_MISSING');
  } else if ((await manifestType(manifest)) === 'video') {
    const video = await readVideoManifest(manifest);
    const frames = videoFrames(content, video, frameRange(meta.data));
    videoRow = videoData(videoFile(content, video), video, frames, meta.data.chunk_type);
  }
  if (options.createsLabels ?? content.index === undefined) checkArchiveLabels(meta.labels);
  checkTaskRows(content, videoRow);
  const jobFrames = new JobFrames(meta.jobs, content.prefix);
  let frames = videoRow?.size ?? 0;
  const dimension = new FrameDimension();
  if (!videoRow) {
    // Every line now, as the catalog will take it: a bad one used to surface only while the rows
    // were copied inside the transaction, after the media copy.
    for await (const image of manifestImages(manifest!, frameRange(meta.data))) {
      checkImageRow(image);
      jobFrames.checkFrame(image.frame, image.path);
      dimension.add(image.path);
      frames++;
    }
  }
  jobFrames.checkWithin(frames);
  await checkAnnotations(content);
  return dimension.dimension;
}

export interface CreateContext extends TaskImportRequest {
  prefix: string;
  lightweight: boolean;
  actor: { id: number; isAdmin: boolean };
}

export async function createTask(
  tx: CatalogTransaction,
  content: TaskContent,
  ctx: CreateContext,
): Promise<number> {
  const { meta } = content;
  const customSegments = meta.data.custom_segments === true;
  const manifest = manifestFile(content)!;
  const video = (await manifestType(manifest)) === 'video';
  const task = await tx.tasks.create(ctx.actor, {
    name: meta.name,
    bug_tracker: meta.bug_tracker,
    status: meta.status,
    subset: meta.subset,
    ...segmentGeometry(meta.jobs, customSegments),
    ...(meta.consensus_replicas ? { consensus_replicas: meta.consensus_replicas } : {}),
    ...(ctx.projectId !== undefined ? { project_id: ctx.projectId } : { labels: toLabelInputs(meta.labels) }),
    owner_id: ctx.userId,
    import_request_id:
      ctx.projectId === undefined || content.index === undefined ? ctx.importRequestId : null,
    mode: video ? 'interpolation' : 'annotation',
    dimension: video ? '2d' : await imagesDimension(manifestImages(manifest, frameRange(meta.data))),
  });
  await tx.data.create(task.id, await dataInput(content, meta, manifest, ctx, video));
  const jobs = await tx.jobs.createSegments(task.id, segmentsOf(meta.jobs));
  await restoreAnnotations(
    tx,
    content,
    task.id,
    jobs.map((j) => j.id),
  );
  if (content.guide) await restoreGuide(tx, { taskId: task.id }, content.guide);
  return task.id;
}

async function dataInput(
  content: TaskContent,
  meta: TaskMeta,
  manifest: NonNullable<ReturnType<typeof manifestFile>>,
  ctx: CreateContext,
  video: boolean,
): Promise<NewData> {
  const input = dataFields(meta, ctx, video);
  input.manifest = manifestLines(manifest);
  if (video) {
    const properties = await readVideoManifest(manifest);
    const frames = videoFrames(content, properties, frameRange(meta.data));
    Object.assign(input, videoData(videoFile(content, properties), properties, frames, meta.data.chunk_type));
  } else {
    input.images = manifestImages(manifest, frameRange(meta.data), sizes(content, ctx.lightweight));
  }
  return input;
}

/** Sizes of the media files in the archive (a lightweight backup has none: media stay in the cloud). */
function sizes(content: TaskContent, lightweight: boolean): (path: string) => number | undefined {
  if (lightweight) return () => undefined;
  const byPath = new Map(content.media.map((f) => [f.path, f.size]));
  return (path) => byPath.get(path);
}

/** Annotations job by job, positionally (as CVAT restores them), streamed into COPY batches. */
async function restoreAnnotations(
  tx: CatalogTransaction,
  content: TaskContent,
  taskId: number,
  jobIds: number[],
): Promise<void> {
  const ids = new LabelIds(await tx.labels.treeOfTask(taskId));
  const events = content.annotations()[Symbol.asyncIterator]();
  let pending = await events.next();
  while (!pending.done) {
    const event = pending.value;
    if (event.kind !== 'job-start') {
      pending = await events.next();
      continue;
    }
    const jobId = jobIds[event.job];
    async function* items() {
      for (pending = await events.next(); !pending.done; pending = await events.next()) {
        const e = pending.value;
        if (e.kind === 'job-end' || e.kind === 'job-start') return;
        yield ids.item(e.kind, e.value);
      }
    }
    if (jobId === undefined) {
      // A guard: the reader already skips arrays beyond the jobs, as CVAT's zip() ignores them.
      for await (const _ of items());
    } else {
      await tx.annotations.append(jobId, items());
    }
    if (!pending.done && pending.value.kind === 'job-end') pending = await events.next();
  }
}

export async function restoreGuide(
  tx: CatalogTransaction,
  owner: GuideOwner,
  guide: ArchiveGuide,
): Promise<void> {
  let markdown = guide.markdown;
  const saved = await tx.guides.save(owner, markdown);
  for (const asset of guide.assets) {
    const chunks: Buffer[] = [];
    for await (const chunk of await asset.open()) chunks.push(Buffer.from(chunk));
    const info = await tx.guides.addAsset(saved.id, {
      filename: assetFilename(asset),
      // checkGuideAssets refused the others before the restore began.
      content_type: assetContentType(asset.path),
      content: Buffer.concat(chunks),
    });
    markdown = markdown.split(asset.entry).join(`/api/assets/${info.uuid}`);
  }
  if (markdown !== guide.markdown) await tx.guides.save(owner, markdown);
}
