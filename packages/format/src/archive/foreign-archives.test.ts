import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectAnnotations, mediaContents } from '../testing/archive-helpers.js';
import { task2022Json } from '../testing/samples.js';
import { tempDir } from '../testing/temp-dir.js';
import { FileSource } from '../zip/file-source.js';
import { openBackup } from './backup-reader.js';

const run = promisify(execFile);
let dir: { path: string; remove(): Promise<void> };
beforeEach(async () => {
  dir = await tempDir('foreign');
});
afterEach(async () => {
  await dir.remove();
});

// How CVAT's backup.py writes: ZipFile(…, "w"), zip.write() for media, writestr() for task.json,
// and zip.open(name, "w") streaming for annotations.json (data descriptor, no sizes up front).
const CVAT_LIKE_WRITER = `
import json, sys, zipfile
path, compression, media = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with zipfile.ZipFile(path, "w", compression=compression) as z:
    z.write(media, "data/images/0.jpg")
    z.writestr("data/manifest.jsonl", '{"version":"1.1"}\\n{"type":"images"}\\n{"name":"images/0","extension":".jpg"}\\n')
    z.writestr("task.json", sys.stdin.read())
    with z.open("annotations.json", "w") as f:
        f.write(b'[{"version":0,"tags":[],"shapes":[],"tracks":[]},')
        f.write(json.dumps({"version": 0, "tags": [{"frame": 1, "group": 0, "source": "manual", "attributes": [], "label": "plant"}], "shapes": [], "tracks": []}).encode())
        f.write(b']')
`;

async function pythonArchive(compression: number): Promise<string> {
  const media = join(dir.path, 'img.jpg');
  await writeFile(media, Buffer.alloc(50_000, 7));
  const path = join(dir.path, `cvat-${compression}.zip`);
  const child = execFile('python3', ['-c', CVAT_LIKE_WRITER, path, String(compression), media]);
  child.stdin?.end(JSON.stringify(task2022Json));
  await new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`python exited ${code}`)))),
  );
  return path;
}

describe('archives made by other writers', () => {
  it.each([
    ['stored (as CVAT writes)', 0],
    ['deflated', 8],
  ])('reads a backup written by Python zipfile like CVAT does: %s', async (_label, compression) => {
    const path = await pythonArchive(compression);
    const archive = await openBackup(await FileSource.open(path), { expect: 'task' });
    try {
      if (archive.kind !== 'task') throw new Error('expected a task');
      expect(archive.task.meta.name).toBe('test_backup_outdoor');
      expect((await mediaContents(archive.task))['images/0.jpg']).toBe(
        Buffer.alloc(50_000, 7).toString('latin1'),
      );
      const jobs = await collectAnnotations(archive.task.annotations());
      expect(jobs[1]!.tags[0]!.label).toBe('plant');
      expect(await archive.verify()).toMatchObject({ entries: 4, checksums: false });
    } finally {
      await archive.close();
    }
  });

  it('reads an Info-ZIP archive with directory entries (directories are skipped)', async () => {
    const root = join(dir.path, 'tree');
    await mkdir(join(root, 'data', 'images'), { recursive: true });
    await writeFile(join(root, 'data', 'images', '0.jpg'), 'jpeg');
    await writeFile(join(root, 'task.json'), JSON.stringify(task2022Json));
    await writeFile(join(root, 'annotations.json'), '[]');
    const path = join(dir.path, 'infozip.zip');
    await run('zip', ['-q', '-r', path, 'data', 'task.json', 'annotations.json'], { cwd: root });
    const archive = await openBackup(await FileSource.open(path));
    try {
      if (archive.kind !== 'task') throw new Error('expected a task');
      expect(archive.task.media.map((m) => m.path)).toEqual(['images/0.jpg']);
      expect(await archive.task.validateAnnotations()).toEqual({ jobs: 0, tags: 0, shapes: 0, tracks: 0 });
    } finally {
      await archive.close();
    }
  });
});
