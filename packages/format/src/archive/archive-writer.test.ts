import { createWriteStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { isAppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { newestTask } from '../testing/samples.js';
import { collect, tempDir } from '../testing/temp-dir.js';
import { BufferSource } from '../zip/random-access-source.js';
import type { TaskArchiveInput } from './archive-input.js';
import { writeProjectArchive, writeTaskArchive } from './archive-writer.js';
import { openBackup } from './backup-reader.js';

function memory(): { sink: Writable; bytes(): Buffer } {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(parts) };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (e: unknown) => (isAppError(e) ? e.code : String(e)),
  );
}

function variant(change: (t: TaskArchiveInput) => void): TaskArchiveInput {
  const t = newestTask();
  change(t);
  return t;
}

describe('task archive writer input checks', () => {
  it.each([
    [
      'image_quality out of range',
      variant((t) => {
        t.data = { ...t.data, image_quality: 200 };
      }),
      'FORMAT_INPUT_INVALID',
    ],
    [
      'a job without frames range',
      variant((t) => {
        t.jobs = [{ status: 'annotation', type: 'annotation' } as never];
      }),
      'FORMAT_INPUT_INVALID',
    ],
    [
      'two labels with one name',
      variant((t) => {
        t.task.labels = [t.task.labels[0]!, t.task.labels[0]!];
      }),
      'FORMAT_INPUT_INVALID',
    ],
    [
      'annotations for more jobs than jobs',
      variant((t) => {
        t.annotations = [{}, {}, {}, {}, {}];
      }),
      'FORMAT_INPUT_INVALID',
    ],
    [
      'a shape with an unknown label',
      variant((t) => {
        t.annotations = [{ tags: [{ frame: 0, group: 0, source: 'manual', attributes: [], label: 'nope' }] }];
      }),
      'FORMAT_INPUT_INVALID',
    ],
    [
      'lightweight with media besides the manifest',
      variant((t) => {
        t.data = { ...t.data, storage: 'cloud_storage' };
      }),
      'FORMAT_INPUT_INVALID',
    ],
    [
      'a media path escaping data/',
      variant((t) => {
        t.media = [{ path: '../task.json', open: async () => Readable.from([Buffer.from('x')]) }];
      }),
      'FORMAT_ENTRY_NAME_INVALID',
    ],
    [
      'a media file shorter than announced',
      variant((t) => {
        t.media = [{ path: 'a.jpg', size: 10, open: async () => Readable.from([Buffer.from('x')]) }];
      }),
      'FORMAT_ENTRY_SIZE_MISMATCH',
    ],
  ])('refuses %s', async (_label, input, code) => {
    expect(await codeOf(writeTaskArchive(memory().sink, input))).toBe(code);
  });

  it('skips data/index.json, reports progress, and writes a lightweight backup with only the manifest', async () => {
    const out = memory();
    const progress: string[] = [];
    const input = variant((t) => {
      t.data = { ...t.data, storage: 'cloud_storage' };
      t.media = [
        { path: 'index.json', open: async () => Readable.from([Buffer.from('{}')]) },
        {
          path: 'manifest.jsonl',
          open: async () => Readable.from([Buffer.from('{"version":"1.1"}\n{"type":"images"}\n')]),
        },
      ];
    });
    await writeTaskArchive(out.sink, input, { onProgress: (p) => progress.push(p.entry) });
    expect(progress.slice(0, 3)).toEqual(['data/manifest.jsonl', 'task.json', 'annotations.json']);
    const archive = await openBackup(new BufferSource(out.bytes()));
    if (archive.kind !== 'task') throw new Error('expected a task');
    expect(archive.task.media.map((m) => m.path)).toEqual(['manifest.jsonl']);
    expect(archive.task.meta.data.storage).toBe('cloud_storage');
  });

  it('does not end the output when writing fails (the caller aborts the upload)', async () => {
    let ended = false;
    const sink = new Writable({
      write: (_c, _e, done) => done(),
      final: (done) => {
        ended = true;
        done();
      },
    });
    const input = variant((t) => {
      t.media = [
        {
          path: 'a.jpg',
          open: async () =>
            Readable.from(
              (async function* () {
                yield Buffer.from('x');
                throw new Error('source storage failed');
              })(),
            ),
        },
      ];
    });
    await expect(writeTaskArchive(sink, input)).rejects.toThrow('source storage failed');
    expect(ended).toBe(false);
  });
});

describe('task archive writer sources', () => {
  it('writes the same archive from open files (media and guide assets) as from streams', async () => {
    const dir = await tempDir('archive-files');
    try {
      const now = new Date(2024, 1, 2, 3, 4, 6);
      let n = 0;
      // Each file's bytes land on disk; `openFile` then hands over the open file instead of a stream.
      const asFile = async <T extends { open(): Promise<unknown> }>(input: T): Promise<T> => {
        const path = join(dir.path, `f${n++}`);
        await writeFile(path, await collect((await input.open()) as AsyncIterable<Uint8Array>));
        return {
          ...input,
          open: () => Promise.reject(new Error('open() is not called when openFile() is there')),
          openFile: () => open(path, 'r'),
        };
      };
      const fromFiles = newestTask();
      fromFiles.media = await Promise.all(fromFiles.media.map(asFile));
      fromFiles.guide!.assets = await Promise.all((newestTask().guide!.assets as never[]).map(asFile));
      const written: Buffer[] = [];
      for (const [i, input] of [newestTask(), fromFiles].entries()) {
        const path = join(dir.path, `${i}.zip`);
        await writeTaskArchive(createWriteStream(path), input, { now, integrity: true });
        written.push(await readFile(path));
      }
      expect(written[1]!.equals(written[0]!)).toBe(true);
      const archive = await openBackup(new BufferSource(written[1]!));
      if (archive.kind !== 'task') throw new Error('expected a task');
      expect(archive.task.media.map((m) => m.path)).toEqual(newestTask().media.map((m) => m.path));
    } finally {
      await dir.remove();
    }
  });
});

describe('project archive writer input checks', () => {
  it('refuses task indexes that do not ascend', async () => {
    const t = newestTask();
    const code = await codeOf(
      writeProjectArchive(memory().sink, {
        project: { name: 'p', labels: t.task.labels },
        tasks: [
          { index: 3, task: newestTask() },
          { index: 1, task: newestTask() },
        ],
      }),
    );
    expect(code).toBe('FORMAT_INPUT_INVALID');
  });

  it('refuses an invalid project', async () => {
    expect(
      await codeOf(writeProjectArchive(memory().sink, { project: { name: '', labels: [] }, tasks: [] })),
    ).toBe('FORMAT_INPUT_INVALID');
  });
});
