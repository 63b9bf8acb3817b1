import { createWriteStream } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isAppError } from '@cvat-backup/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_CASES } from '../testing/hostile-corpus.js';
import { composeZip } from '../testing/raw-zip.js';
import { tempDir } from '../testing/temp-dir.js';
import { FileSource } from '../zip/file-source.js';
import { type OpenBackupOptions, openBackup } from './backup-reader.js';

let sandbox: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  sandbox = await tempDir('hostile');
});
afterAll(async () => {
  await sandbox.remove();
});

/**
 * What a restore does with an upload: open (structure + task.json), check every annotation,
 * verify every CRC, and only then extract media — into `outDir`, never anywhere else.
 */
async function restoreInto(path: string, options: OpenBackupOptions, outDir: string): Promise<void> {
  const source = await FileSource.open(path);
  try {
    const archive = await openBackup(source, { expect: 'task', ...options });
    const tasks = archive.kind === 'task' ? [archive.task] : archive.tasks;
    for (const task of tasks) await task.validateAnnotations();
    await archive.verify();
    for (const task of tasks) {
      for (const media of task.media) {
        const target = resolve(outDir, task.prefix, 'data', media.path);
        if (!target.startsWith(outDir + sep)) throw new Error(`escaped the sandbox: ${media.entry}`);
        await mkdir(dirname(target), { recursive: true });
        await pipeline(await media.open(), createWriteStream(target));
      }
    }
  } finally {
    await source.close();
  }
}

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.map((e) => relative(root, join(e.parentPath, e.name))).sort();
}

describe('hostile-archive corpus', () => {
  it('has at least 30 cases, each named once', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(HOSTILE_CASES.map((c) => c.name)).size).toBe(HOSTILE_CASES.length);
  });

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))(
    '%s is refused with its code and writes nothing',
    async (_name, hostile) => {
      const caseDir = join(sandbox.path, hostile.name);
      const outDir = join(caseDir, 'out');
      await mkdir(outDir, { recursive: true });
      const archivePath = join(caseDir, 'upload.zip');
      await writeFile(archivePath, hostile.build());

      const error = await restoreInto(archivePath, hostile.options ?? {}, outDir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAppError(error) ? error.code : error).toBe(hostile.code);
      expect((error as Error).message).not.toMatch(/\{\w+\}/);
      // Validation happens before extraction: nothing at all was written, inside or outside.
      expect(await listTree(caseDir)).toEqual(['out', 'upload.zip']);
      expect(await listTree(sandbox.path)).toContain(hostile.name);
    },
  );

  it('the same pipeline restores a healthy archive (the corpus is not refused for an unrelated reason)', async () => {
    const caseDir = join(sandbox.path, 'healthy');
    const outDir = join(caseDir, 'out');
    await mkdir(outDir, { recursive: true });
    const healthy = HOSTILE_CASES.find((c) => c.name === 'skipped-job-too-deep')!;
    // The skipped-job-too-deep case with a shallow extra array is a valid task backup: CVAT zips
    // the arrays with the jobs of task.json and never reads the extra one.
    const zip = healthy.build();
    const fixed = composeZip([
      { name: 'data/images/0.jpg', data: 'jpeg bytes' },
      { name: 'task.json', data: await entryText(zip, 'task.json') },
      { name: 'annotations.json', data: '[{"version":0,"tags":[],"shapes":[],"tracks":[]},[[{"label":7}]]]' },
    ]);
    const archivePath = join(caseDir, 'upload.zip');
    await writeFile(archivePath, fixed);
    await restoreInto(archivePath, {}, outDir);
    expect(await listTree(outDir)).toEqual(['data', 'data/images', 'data/images/0.jpg']);
  });
});

async function entryText(zip: Buffer, name: string): Promise<string> {
  const { BufferSource } = await import('../zip/random-access-source.js');
  const { ZipReader } = await import('../zip/zip-reader.js');
  const reader = await ZipReader.open(new BufferSource(zip));
  return (await reader.readEntry(reader.get(name)!, 1 << 20)).toString('utf8');
}
