/** Extracts every file of <archive.zip> under <out dir> (CRC-checked), like `unzip -d`. */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { FileSource, ZipReader } from '../../src/index.js';
import { report, startSection } from './child-report.js';

const [archive, outDir] = process.argv.slice(2) as [string, string];
startSection();
const started = performance.now();
const zip = await ZipReader.open(await FileSource.open(archive));
let bytes = 0;
const made = new Set<string>();
for (const entry of zip.entries) {
  const target = join(outDir, entry.name);
  const parent = dirname(target);
  if (!made.has(parent)) {
    await mkdir(parent, { recursive: true });
    made.add(parent);
  }
  await pipeline(await zip.openEntry(entry), createWriteStream(target, { highWaterMark: 1 << 20 }));
  bytes += entry.size;
}
await zip.close();
report({ seconds: (performance.now() - started) / 1000, bytes, entries: zip.entries.length });
