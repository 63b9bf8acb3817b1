/**
 * References: the same files copied into one output by plain Node, no zip. `stream` (default):
 * read streams piped into one write stream, what a Node program does without thinking. `sync`:
 * the cheapest copy Node can make, cat's own loop (read into one reused 128 KiB buffer, write it
 * out) with blocking calls; `sync-crc` adds the CRC-32 a zip entry needs. Together they separate
 * Node's I/O cost and the checksum's cost from the archive writer's.
 */
import { closeSync, createReadStream, createWriteStream, openSync, readSync, writeSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import { report, startSection } from './child-report.js';

const [mediaDir, out, mode = 'stream'] = process.argv.slice(2) as [string, string, string?];
const names = (await readdir(mediaDir, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name))
  .sort();

async function streamCopy(): Promise<number> {
  const output = createWriteStream(out);
  let bytes = 0;
  for (const path of names) {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      bytes += (chunk as Buffer).length;
      if (!output.write(chunk)) await new Promise<void>((resolve) => output.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve) => output.end(resolve));
  return bytes;
}

function syncCopy(withCrc: boolean): { bytes: number; crc: number } {
  const buffer = Buffer.allocUnsafe(128 << 10);
  const output = openSync(out, 'w');
  let bytes = 0;
  let crc = 0;
  for (const path of names) {
    const input = openSync(path, 'r');
    for (let n = readSync(input, buffer); n > 0; n = readSync(input, buffer)) {
      const chunk = buffer.subarray(0, n);
      if (withCrc) crc = crc32(chunk, crc);
      writeSync(output, chunk);
      bytes += n;
    }
    closeSync(input);
  }
  closeSync(output);
  return { bytes, crc };
}

startSection();
const started = performance.now();
const copied = mode === 'stream' ? { bytes: await streamCopy(), crc: 0 } : syncCopy(mode === 'sync-crc');
report({ seconds: (performance.now() - started) / 1000, ...copied, mode });
