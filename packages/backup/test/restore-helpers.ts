import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Catalog } from '@cvat-backup/catalog';
import { FileSource, openBackup, type ProjectBackup, type TaskBackup } from '@cvat-backup/format';
import type { StorageDriver } from '@cvat-backup/storage';
import { svgWithLabelNames } from '../src/export/archive-labels.js';
import { exportProject, loadProjectView } from '../src/export/project-exporter.js';
import { exportTask, loadTaskView } from '../src/export/task-exporter.js';
import { importProject } from '../src/import/project-importer.js';
import { type ImportResult, importTask } from '../src/import/task-importer.js';
import type { Fixture } from './export-fixture.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Everything a restored task must keep, without ids and dates; media bytes read from `media`. */
export async function snapshot(catalog: Catalog, taskId: number, media: StorageDriver) {
  const view = await loadTaskView(catalog, taskId);
  const strip = <T extends object>(o: T) =>
    JSON.parse(
      JSON.stringify(o, (k, v) =>
        ['id', 'label_id', 'spec_id', 'task_id', 'project_id', 'parent_id'].includes(k) ? undefined : v,
      ),
    );
  const annotations = [];
  for (const job of view.jobs) {
    const a = catalog.annotations.read(job.id);
    const all = { tags: [] as unknown[], shapes: [] as unknown[], tracks: [] as unknown[] };
    for await (const t of a.tags()) all.tags.push(strip(t));
    for await (const s of a.shapes()) all.shapes.push(strip(s));
    for await (const t of a.tracks()) all.tracks.push(strip(t));
    annotations.push(all);
  }
  const images = [];
  for await (const image of catalog.data.images(view.data.id))
    images.push({
      ...image,
      bytes: (await bytesOf(await media.read(`${view.data.media_prefix}${image.path}`))).toString('base64'),
    });
  const manifest = [];
  for await (const line of catalog.data.manifestLines(view.data.id)) manifest.push(line);
  const video = await catalog.data.video(view.data.id);
  const {
    id: _1,
    created_date: _2,
    updated_date: _3,
    owner: _4,
    import_request_id: _5,
    data: _6,
    ...task
  } = view.task;
  const { id: _7, task_id: _8, media_prefix: _9, chunks_updated_date: _10, ...data } = view.data;
  return {
    // CVAT derives overlap from the jobs on restore (0 for adjacent segments); an unset one reads null.
    task: { ...task, overlap: task.overlap ?? 0, project_id: undefined, project_name: undefined },
    data,
    // Sublabel ids differ between the two tasks: compare skeleton svgs by sublabel name.
    labels: strip(view.labels.map((l) => (l.svg ? { ...l, svg: svgWithLabelNames(l.svg, l.sublabels) } : l))),
    jobs: view.jobs.map(({ id: _j, ...job }) => job),
    annotations,
    images,
    video: video && {
      ...video,
      sha256: sha256(await bytesOf(await media.read(`${view.data.media_prefix}${video.path}`))),
    },
    manifest,
  };
}

/** Exports a task or project (full backup) to `<dir>/<name>` and returns the file's path. */
async function exportToFile(
  fx: Fixture,
  media: StorageDriver,
  target: { taskId: number } | { projectId: number },
  file: string,
): Promise<string> {
  const output = createWriteStream(file);
  const done = finished(output);
  const deps = { catalog: fx.catalog, localMedia: media, cloudStorage: async () => media };
  if ('taskId' in target)
    await exportTask(deps, await loadTaskView(fx.catalog, target.taskId), output, { lightweight: false });
  else
    await exportProject(deps, await loadProjectView(fx.catalog, target.projectId), output, {
      lightweight: false,
    });
  await done;
  return file;
}

export const exportTaskToFile = (
  fx: Fixture,
  media: StorageDriver,
  taskId: number,
  dir: string,
  name: string,
) => exportToFile(fx, media, { taskId }, path.join(dir, name));

export const exportProjectToFile = (
  fx: Fixture,
  media: StorageDriver,
  projectId: number,
  dir: string,
  name: string,
) => exportToFile(fx, media, { projectId }, path.join(dir, name));

/** Restores a task backup file as the fixture's user, closing the archive whatever happens. */
export async function restoreTaskFile(
  fx: Fixture,
  media: StorageDriver,
  file: string,
  importRequestId: string,
  projectId?: number,
): Promise<ImportResult> {
  const backup = (await openBackup(await FileSource.open(file), { expect: 'task' })) as TaskBackup;
  try {
    return await importTask({ catalog: fx.catalog, localMedia: media }, backup.task, {
      userId: fx.actor.id,
      importRequestId,
      ...(projectId ? { projectId } : {}),
    });
  } finally {
    await backup.close();
  }
}

/** Restores a project backup file as the fixture's user, closing the archive whatever happens. */
export async function restoreProjectFile(
  fx: Fixture,
  media: StorageDriver,
  file: string,
  importRequestId: string,
): Promise<ImportResult> {
  const backup = (await openBackup(await FileSource.open(file), { expect: 'project' })) as ProjectBackup;
  try {
    return await importProject({ catalog: fx.catalog, localMedia: media }, backup, {
      userId: fx.actor.id,
      importRequestId,
    });
  } finally {
    await backup.close();
  }
}
