/**
 * Counterexamples found by restore-fuzz.test.ts, pinned: each broke an invariant of a failed
 * restore before its fix.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BufferSource, openBackup, ZipWriter } from '@cvat-backup/format';
import { listTree } from '@cvat-backup/format/testing/fuzz/fuzz-run';
import { zipLayout } from '@cvat-backup/format/testing/fuzz/zip-layout';
import { LocalDriver, type StorageDriver } from '@cvat-backup/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cvatTaskJson } from '../../test/cvat-video-archive.js';
import { checkTask, copyTaskMedia, type ImportDependencies } from './task-importer.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'cvb-restore-regress-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function zipOf(entries: Array<[string, Buffer]>): Promise<Buffer> {
  const parts: Buffer[] = [];
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough().on('data', (c: Buffer) => parts.push(c));
  const zip = new ZipWriter(out);
  for (const [name, data] of entries) await zip.addBuffer(name, data);
  await zip.finish();
  return Buffer.concat(parts);
}

describe('restore fuzz counterexamples', () => {
  it('a media copy that fails rejects only after the other copies stopped writing', async () => {
    const bytes = await zipOf([
      ['data/images/a.jpg', Buffer.alloc(1000, 1)],
      ['data/images/b.jpg', Buffer.alloc(8 << 20, 2)],
      ['data/manifest.jsonl', Buffer.from('{"version":"1.1"}\n{"type":"images"}\n')],
      ['task.json', Buffer.from(cvatTaskJson())],
      ['annotations.json', Buffer.from('[]')],
    ]);
    // Damage a.jpg: its CRC check fails while b.jpg is still being copied by the other worker.
    bytes[zipLayout(bytes).data[0]!.start]! ^= 0xff;
    const archive = await openBackup(new BufferSource(bytes));
    if (archive.kind !== 'task') throw new Error('expected a task');
    const localMedia: StorageDriver = new LocalDriver({ kind: 'local', root });
    // The copy needs no catalog: only its storage is handed over.
    const deps = { localMedia, copyConcurrency: 2 } as ImportDependencies;
    const error = await copyTaskMedia(deps, archive.task, {
      importRequestId: 'r1',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('ARCHIVE_CRC_MISMATCH');
    const atRejection = (await listTree(root)).sort();
    await sleep(300);
    expect((await listTree(root)).sort()).toEqual(atRejection);
    await archive.close();
  });

  it('an image manifest line of the wrong shape is refused by the checks, before anything is written', async () => {
    const bytes = await zipOf([
      ['data/images/frame_0.jpg', Buffer.alloc(100, 1)],
      [
        'data/manifest.jsonl',
        Buffer.from('{"version":"1.1"}\n{"type":"images"}\n{"name":"images/frame_0","extension":-1e308}\n'),
      ],
      ['task.json', Buffer.from(cvatTaskJson({ start_frame: 0, stop_frame: 0, frame_filter: '' }, []))],
      ['annotations.json', Buffer.from('[]')],
    ]);
    const archive = await openBackup(new BufferSource(bytes));
    if (archive.kind !== 'task') throw new Error('expected a task');
    await expect(checkTask(archive.task)).rejects.toMatchObject({ code: 'ARCHIVE_SCHEMA_INVALID' });
    await archive.close();
  });
});
