/**
 * Writes a store-only task archive of every file under <media dir> to <out.zip>; reports time and RSS.
 * Media are handed over as open files (the writer reads them), or with SOURCE=stream as read streams
 * (READ_HWM bytes per chunk), the form object-store sources take. OUT_HWM: the output's highWaterMark.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type MediaInput, writeTaskArchive } from '../../src/index.js';
import { report, startSection } from './child-report.js';

const [mediaDir, out] = process.argv.slice(2) as [string, string];
const names = (await readdir(mediaDir, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name))
  .sort();

const asStreams = process.env['SOURCE'] === 'stream';
const readHwm = Number(process.env['READ_HWM'] ?? 1 << 20);

async function* media(): AsyncGenerator<MediaInput> {
  for (const path of names) {
    const s = await stat(path);
    yield {
      path: relative(mediaDir, path),
      size: s.size,
      mtime: s.mtime,
      open: async () => createReadStream(path, { highWaterMark: readHwm }),
      ...(asStreams ? {} : { openFile: () => open(path, 'r') }),
    };
  }
}

startSection();
const started = performance.now();
const result = await writeTaskArchive(
  createWriteStream(out, { highWaterMark: Number(process.env['OUT_HWM'] ?? 16384) }),
  {
    task: {
      name: 'bench',
      labels: [{ name: 'car', color: '#ff0000', attributes: [], type: 'any', sublabels: [] }],
    },
    data: {
      image_quality: 70,
      storage_method: 'cache',
      sorting_method: 'lexicographical',
      chunk_type: 'imageset',
      deleted_frames: [],
      storage: 'local',
    },
    jobs: [{ status: 'annotation', type: 'annotation', start_frame: 0, stop_frame: names.length - 1 }],
    media: media(),
    annotations: [{}],
  },
);
report({ seconds: (performance.now() - started) / 1000, bytes: result.bytes, entries: result.entries });
