/**
 * Reference: the plainest Node copy of the same files into one output (read streams piped into
 * one write stream, no zip, no CRC). Separates Node's I/O cost from the archive writer's.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { report } from './child-report.js';

const [mediaDir, out] = process.argv.slice(2) as [string, string];
const names = (await readdir(mediaDir, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name))
  .sort();
const started = performance.now();
const output = createWriteStream(out);
let bytes = 0;
for (const path of names) {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    bytes += (chunk as Buffer).length;
    if (!output.write(chunk)) await new Promise<void>((resolve) => output.once('drain', () => resolve()));
  }
}
await new Promise<void>((resolve) => output.end(resolve));
report({ seconds: (performance.now() - started) / 1000, bytes });
