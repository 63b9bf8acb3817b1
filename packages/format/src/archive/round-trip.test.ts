import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectAnnotations, mediaContents, writeRawArchive } from '../testing/archive-helpers.js';
import { pythonJsonEntries, pythonZipEntries, unzipTest } from '../testing/external-tools.js';
import {
  annotations2021Json,
  annotations2021Normalised,
  annotations2022Json,
  newestAnnotations,
  newestTask,
  task2021Json,
  task2021Normalised,
  task2022Json,
  task2022Normalised,
} from '../testing/samples.js';
import { collect, tempDir } from '../testing/temp-dir.js';
import { FileSource } from '../zip/file-source.js';
import { writeProjectArchive, writeTaskArchive } from './archive-writer.js';
import { type BackupArchive, openBackup, type TaskBackup } from './backup-reader.js';

let dir: { path: string; remove(): Promise<void> };
const opened: BackupArchive[] = [];
beforeEach(async () => {
  dir = await tempDir('roundtrip');
});
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
  await dir.remove();
});

async function open(path: string, expect?: 'task' | 'project'): Promise<BackupArchive> {
  const archive = await openBackup(await FileSource.open(path), expect ? { expect } : {});
  opened.push(archive);
  return archive;
}

async function openTask(path: string): Promise<TaskBackup> {
  const archive = await open(path, 'task');
  if (archive.kind !== 'task') throw new Error('expected a task backup');
  return archive;
}

const now = new Date(2025, 2, 1, 14, 5, 10);

describe('task archive round trip', () => {
  it('newest era: write → independent readers → read → deep-equal', async () => {
    const path = join(dir.path, 'newest.zip');
    const input = newestTask();
    const result = await writeTaskArchive(createWriteStream(path), input, { now, integrity: true });
    expect(result.entries).toBe(8 + 2 + 2 + 1 + 1);

    await expect(unzipTest(path)).resolves.toContain('No errors detected');
    const py = await pythonZipEntries(path);
    // CVAT's order: data/…, task.json, annotations.json, assets/…, annotation_guide.md (+ our manifest).
    expect(py.map((e) => e.name)).toEqual([
      ...input.media.map((m) => `data/${m.path}`),
      'task.json',
      'annotations.json',
      'assets/car.png',
      'assets/vélo.jpg',
      'annotation_guide.md',
      'checksums.sha256',
    ]);

    const archive = await openTask(path);
    expect(archive.task.meta).toEqual({ ...input.task, version: '1.0', data: input.data, jobs: input.jobs });
    expect(await collectAnnotations(archive.task.annotations())).toEqual(newestAnnotations);
    const media = await mediaContents(archive.task);
    expect(Object.keys(media)).toEqual(input.media.map((m) => m.path));
    expect(media['manifest.jsonl']).toContain('{"type":"images"}');
    expect(archive.task.media[0]!.mtime.getTime()).toBe(new Date(2024, 0, 2, 3, 4, 6).getTime());
    expect(archive.task.guide?.markdown).toBe(
      '# Guide\n\nSee ![car](assets/car.png) and ![bike](assets/vélo.jpg) — merci.',
    );
    expect(archive.task.guide?.assets.map((a) => a.path)).toEqual(['car.png', 'vélo.jpg']);
    expect(await archive.task.validateAnnotations()).toEqual({ jobs: 4, tags: 1, shapes: 6, tracks: 2 });
    expect(await archive.verify()).toMatchObject({ entries: 14, checksums: true });

    // Python's zipfile + json (what CVAT restores with) see the same documents.
    const py2 = await pythonJsonEntries(path, ['task.json', 'annotations.json']);
    expect(py2['task.json']).toEqual(archive.task.meta);
    expect(py2['annotations.json']).toEqual(newestAnnotations);
    // annotations.json is ASCII-only (non-ASCII escaped), as CVAT writes it.
    const annotationsEntry = archive.zip.get('annotations.json')!;
    const raw = await collect(await archive.zip.openEntry(annotationsEntry));
    expect(raw.every((b) => b < 0x80)).toBe(true);
  });

  it('2021 era: share storage, reviews, task/ dir and data/index.json are normalised or ignored', async () => {
    const path = join(dir.path, '2021.zip');
    await writeRawArchive(path, [
      ['data/images/a.jpg', 'A'],
      ['data/index.json', '{"0":0}'],
      [
        'data/manifest.jsonl',
        '{"version":"1.0"}\n{"type":"images"}\n{"name":"images/a","extension":".jpg"}\n',
      ],
      ['task/client.meta', 'old task dir'],
      ['task.json', JSON.stringify(task2021Json, null, 2)],
      ['annotations.json', JSON.stringify(annotations2021Json)],
    ]);
    const archive = await openTask(path);
    expect(archive.task.meta).toEqual(task2021Normalised);
    expect(archive.task.media.map((m) => m.path)).toEqual(['images/a.jpg', 'manifest.jsonl']);
    expect(await collectAnnotations(archive.task.annotations())).toEqual(annotations2021Normalised);

    // Re-written in the newest shape and read again: nothing is lost.
    const again = join(dir.path, '2021-rewritten.zip');
    const { version: _v, data, jobs, ...task } = archive.task.meta;
    await writeTaskArchive(createWriteStream(again), {
      task,
      data,
      jobs,
      media: archive.task.media.map((m) => ({ path: m.path, size: m.size, open: m.open })),
      annotations: annotations2021Normalised,
    });
    const reread = await openTask(again);
    expect(reread.task.meta).toEqual(task2021Normalised);
    expect(await collectAnnotations(reread.task.annotations())).toEqual(annotations2021Normalised);
    expect(await mediaContents(reread.task)).toEqual(await mediaContents(archive.task));
    const written = (await collect(await reread.zip.openEntry(reread.zip.get('task.json')!))).toString();
    expect(written).toContain(
      '"data":{"chunk_size":36,"image_quality":50,"start_frame":0,"stop_frame":3,"storage_method":"file_system"',
    );
    expect(written).toContain('"storage":"local"}');
  });

  it('2022–2023 era: labels before subset, skeleton without type defaults, GT job with frames', async () => {
    const path = join(dir.path, '2022.zip');
    await writeRawArchive(path, [
      ['data/images/0.jpg', 'zero'],
      ['task/data/whatever', 'x'],
      ['task.json', JSON.stringify(task2022Json)],
      ['annotations.json', JSON.stringify(annotations2022Json)],
      ['assets/a.png', 'png'],
      ['annotation_guide.md', 'see assets/a.png'],
    ]);
    const archive = await openTask(path);
    expect(archive.task.meta).toEqual(task2022Normalised);
    const jobs = await collectAnnotations(archive.task.annotations());
    expect(jobs[0]!.shapes[0]!.elements?.[0]).toMatchObject({ label: 'nose', points: [1.5, 2.5] });
    expect(jobs[1]!.tags).toEqual([{ frame: 1, group: 0, source: 'manual', attributes: [], label: 'plant' }]);
    expect(archive.task.guide).toMatchObject({
      markdown: 'see assets/a.png',
      assets: [{ path: 'a.png', size: 3 }],
    });

    const again = join(dir.path, '2022-rewritten.zip');
    const { version: _v, data, jobs: jobList, ...task } = archive.task.meta;
    await writeTaskArchive(createWriteStream(again), { task, data, jobs: jobList, annotations: jobs });
    const reread = await openTask(again);
    expect(reread.task.meta).toEqual(task2022Normalised);
    expect(await collectAnnotations(reread.task.annotations())).toEqual(jobs);
  });
});

describe('project archive round trip', () => {
  it('writes project.json and task_<n>/ trees with gaps; reads them back in index order', async () => {
    const path = join(dir.path, 'project.zip');
    const first = newestTask();
    const second = newestTask();
    second.task = { ...second.task, name: 'second' };
    second.media = [];
    second.guide = undefined as never;
    delete second.guide;
    const labels = first.task.labels;
    await writeProjectArchive(
      createWriteStream(path),
      {
        project: { name: 'Projet ü', bug_tracker: '', status: 'annotation', labels },
        guide: {
          markdown: 'project guide ![x](/api/assets/p1)',
          assets: [
            {
              id: 'p1',
              filename: 'x.png',
              open: async () => (await import('node:stream')).Readable.from([Buffer.from('x')]),
            },
          ],
        },
        tasks: [
          { index: 0, task: first },
          { index: 2, task: second },
        ],
      },
      { now },
    );
    await expect(unzipTest(path)).resolves.toContain('No errors detected');
    const names = (await pythonZipEntries(path)).map((e) => e.name);
    expect(names.slice(0, 3)).toEqual(['assets/x.png', 'annotation_guide.md', 'project.json']);
    expect(names).toContain('task_0/data/manifest.jsonl');
    expect(names).toContain('task_0/assets/car.png');
    expect(names).toContain('task_2/task.json');
    expect(names.some((n) => n.startsWith('task_1/'))).toBe(false);

    const archive = await open(path, 'project');
    if (archive.kind !== 'project') throw new Error('expected a project');
    expect(archive.project).toEqual({
      name: 'Projet ü',
      bug_tracker: '',
      status: 'annotation',
      labels,
      version: '1.0',
    });
    expect(archive.guide?.markdown).toBe('project guide ![x](assets/x.png)');
    expect(archive.tasks.map((t) => [t.index, t.prefix, t.meta.name])).toEqual([
      [0, 'task_0/', first.task.name],
      [2, 'task_2/', 'second'],
    ]);
    expect(archive.tasks[0]!.guide?.markdown).toContain('](task_0/assets/car.png)');
    expect(await collectAnnotations(archive.tasks[1]!.annotations())).toEqual(newestAnnotations);
    expect(archive.tasks[0]!.media).toHaveLength(8);
    expect((await archive.verify()).checksums).toBe(false);
  });
});
