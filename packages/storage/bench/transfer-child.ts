/**
 * One measured transfer in its own process (for its peak RSS), through the StorageDriver seam or
 * through the raw SDK, printing one JSON line: `write` streams `size` bytes to `key` (deleted
 * afterwards, untimed, unless `keep` is given); `read` streams `key` back three times and keeps
 * the best. Usage: transfer-child.ts <kind> <seam|raw> <write|read> <sizeBytes> <bucket-or-root> <key> [keep]
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobServiceClient } from '@azure/storage-blob';
import { gcsClient, s3Client, testServices } from '@cvat-backup/testkit';
import { createDriver, type StorageConfig } from '../src/index.js';

const MiB = 1024 * 1024;
export const PART_SIZE = 8 * MiB;
export const QUEUE_SIZE = 4;

const [kind, mode, op, sizeArg, place, key, keep] = process.argv.slice(2) as [
  string,
  'seam' | 'raw',
  'write' | 'read',
  string,
  string,
  string,
  string | undefined,
];
const size = Number(sizeArg);
const block = randomBytes(MiB);

/** `size` bytes in 256 KiB chunks cut from one random block: no generation cost in the timing. */
function source(): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: 256 * 1024,
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(256 * 1024, size - sent);
      const offset = sent % MiB;
      const chunk =
        offset + n <= MiB ? block.subarray(offset, offset + n) : Buffer.from(block.subarray(0, n));
      sent += n;
      this.push(chunk);
    },
  });
}

/** Counts bytes and drops them. */
function counter(): { sink: Writable; bytes: () => number } {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  return { sink, bytes: () => bytes };
}

function seamConfig(): StorageConfig {
  const { s3, azure, gcs } = testServices();
  const tuning = { partSize: PART_SIZE, queueSize: QUEUE_SIZE };
  switch (kind) {
    case 'local':
      return { kind: 'local', root: place };
    case 's3':
      return {
        kind: 's3',
        bucket: place,
        endpoint: s3.endpoint,
        region: s3.region,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        ...tuning,
      };
    case 'azure':
      return { kind: 'azure', container: place, connectionString: azure.connectionString, ...tuning };
    default:
      return {
        kind: 'gcs',
        bucket: place,
        apiEndpoint: gcs.endpoint,
        projectId: gcs.projectId,
        partSize: PART_SIZE,
      };
  }
}

async function seam(): Promise<[() => Promise<void>, () => Promise<number>]> {
  const driver = createDriver(seamConfig());
  return [
    async () => {
      const write = driver.openWrite(key, { sizeHint: size });
      await pipeline(source(), write);
      await write.commit();
    },
    async () => {
      const c = counter();
      await pipeline(await driver.read(key), c.sink);
      return c.bytes();
    },
  ];
}

async function raw(): Promise<[() => Promise<void>, () => Promise<number>]> {
  const { s3, azure } = testServices();
  switch (kind) {
    case 'local': {
      return [
        async () => {
          const file = path.join(place, key);
          await mkdir(path.dirname(file), { recursive: true });
          await pipeline(source(), createWriteStream(file));
          // The seam fsyncs before publishing; the reference pays the same.
          const handle = await open(file, 'r+');
          await handle.sync();
          await handle.close();
        },
        async () => {
          const c = counter();
          await pipeline(createReadStream(path.join(place, key)), c.sink);
          return c.bytes();
        },
      ];
    }
    case 's3': {
      const client = s3Client(s3);
      return [
        async () => {
          const upload = new Upload({
            client,
            params: { Bucket: place, Key: key, Body: source() },
            partSize: PART_SIZE,
            queueSize: QUEUE_SIZE,
          });
          await upload.done();
        },
        async () => {
          const c = counter();
          const out = await client.send(new GetObjectCommand({ Bucket: place, Key: key }));
          await pipeline(out.Body as Readable, c.sink);
          return c.bytes();
        },
      ];
    }
    case 'azure': {
      const container = BlobServiceClient.fromConnectionString(azure.connectionString).getContainerClient(
        place,
      );
      return [
        async () => {
          // uploadStream keeps ceil(¾ · maxConcurrency) blocks in flight and maxConcurrency buffers;
          // QUEUE_SIZE + 1 gives what the seam does: QUEUE_SIZE in flight, one more filling.
          await container.getBlockBlobClient(key).uploadStream(source(), PART_SIZE, QUEUE_SIZE + 1);
        },
        async () => {
          const c = counter();
          const out = await container.getBlobClient(key).download(0);
          await pipeline(out.readableStreamBody as Readable, c.sink);
          return c.bytes();
        },
      ];
    }
    default: {
      // Same settings as the seam: chunked resumable upload (each chunk buffered so it can be
      // resent), chunks of PART_SIZE; the library's own retries off, as the seam's are its own.
      const storage = gcsClient();
      storage.retryOptions.autoRetry = false;
      storage.retryOptions.maxRetries = 0;
      const bucket = storage.bucket(place);
      return [
        async () => {
          await pipeline(
            source(),
            bucket.file(key).createWriteStream({ resumable: true, validation: false, chunkSize: PART_SIZE }),
          );
        },
        async () => {
          const c = counter();
          await pipeline(bucket.file(key).createReadStream({ validation: false }), c.sink);
          return c.bytes();
        },
      ];
    }
  }
}

const baselineRssKb = process.resourceUsage().maxRSS;
const [write, read] = mode === 'seam' ? await seam() : await raw();
let ms = Number.POSITIVE_INFINITY;
// This process's CPU time for the transfer: the client's own cost, which a busy machine (or a
// busy emulator) does not inflate the way it does the wall time.
let cpuMs = Number.POSITIVE_INFINITY;
const cpuOf = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
if (op === 'write') {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await write();
  ms = performance.now() - t;
  cpuMs = cpuOf(cpu);
} else {
  // Reads are short next to writes and the shared machine is noisy: take the best of three.
  for (let i = 0; i < 3; i++) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    const bytes = await read();
    ms = Math.min(ms, performance.now() - t);
    cpuMs = Math.min(cpuMs, cpuOf(cpu));
    if (bytes !== size) throw new Error(`read back ${bytes} bytes of ${size}`);
  }
}
const maxRssKb = process.resourceUsage().maxRSS;
// Not timed: keeps the emulator from filling up over the runs.
if (op === 'write' && keep !== 'keep') await createDriver(seamConfig()).delete(key);
console.log(JSON.stringify({ kind, mode, op, size, ms, cpuMs, baselineRssKb, maxRssKb }));
process.exit(0);
