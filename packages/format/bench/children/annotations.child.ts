/**
 * Writes a task archive whose annotations.json holds <shapes> shapes generated on the fly
 * (mode "write"), or streams them back through the validating reader (mode "read").
 */
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FileSource, openBackup, type Shape, writeTaskArchive } from '../../src/index.js';
import { report, startSection } from './child-report.js';

const [mode, path, count] = process.argv.slice(2) as [string, string, string];
const total = Number(count);
const labels = [
  {
    name: 'car',
    color: '#ff0000',
    attributes: [
      { name: 'model', mutable: false, input_type: 'text' as const, default_value: '', values: [] },
    ],
    type: 'any' as const,
    sublabels: [],
  },
  { name: 'piéton', color: '#00ff00', attributes: [], type: 'any' as const, sublabels: [] },
];
const JOBS = 10;

async function* shapes(job: number): AsyncGenerator<Shape> {
  const per = total / JOBS;
  for (let i = 0; i < per; i++) {
    const n = job * per + i;
    yield {
      type: n % 3 === 0 ? 'polygon' : 'rectangle',
      occluded: false,
      outside: false,
      z_order: 0,
      rotation: n % 7 === 0 ? 12.5 : 0,
      points:
        n % 3 === 0 ? [n % 640, 10.5, 200.25, 30, 140, 90.75, 12, 60] : [n % 640, 10, (n % 640) + 50.5, 60],
      frame: n % 5000,
      group: 0,
      source: 'manual',
      attributes: n % 2 ? [{ name: 'model', value: `m${n % 50}` }] : [],
      label: n % 4 ? 'car' : 'piéton',
    };
  }
}

startSection();
const started = performance.now();
if (mode === 'write') {
  const result = await writeTaskArchive(createWriteStream(path), {
    task: { name: 'annotations bench', labels },
    data: {
      image_quality: 70,
      storage_method: 'cache',
      sorting_method: 'lexicographical',
      chunk_type: 'imageset',
      deleted_frames: [],
      storage: 'local',
    },
    jobs: Array.from({ length: JOBS }, (_, j) => ({
      status: 'annotation' as const,
      type: 'annotation' as const,
      start_frame: j * 500,
      stop_frame: j * 500 + 499,
    })),
    annotations: (async function* () {
      for (let j = 0; j < JOBS; j++) yield { version: 0, shapes: shapes(j) };
    })(),
  });
  report({ seconds: (performance.now() - started) / 1000, bytes: result.bytes, shapes: total });
} else {
  const archive = await openBackup(await FileSource.open(path), { expect: 'task' });
  if (archive.kind !== 'task') throw new Error('expected a task backup');
  let seen = 0;
  for await (const event of archive.task.annotations()) if (event.kind === 'shape') seen++;
  const bytes = archive.zip.get('annotations.json')!.size;
  await archive.close();
  if (seen !== total) throw new Error(`read ${seen} shapes, expected ${total}`);
  report({ seconds: (performance.now() - started) / 1000, bytes, shapes: seen });
}
