/**
 * One measured transfer in its own process (for its peak RSS): writes `size` bytes to a key and
 * reads them back, either through the StorageDriver seam or through the raw SDK, and prints one
 * JSON line. Usage: transfer-child.ts <kind> <seam|raw> <sizeBytes> <bucket-or-root>
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
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

const [kind, mode, sizeArg, place] = process.argv.slice(2) as [string, 'seam' | 'raw', string, string];
const size = Number(sizeArg);
const key = `bench/${mode}-${size}.bin`;
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
      const file = path.join(place, key.replace('/', '-'));
      return [
        async () => {
          await pipeline(source(), createWriteStream(file));
          // The seam fsyncs before publishing; the reference pays the same.
          const handle = await open(file, 'r+');
          await handle.sync();
          await handle.close();
        },
        async () => {
          const c = counter();
          await pipeline(createReadStream(file), c.sink);
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
      const blob = BlobServiceClient.fromConnectionString(azure.connectionString)
        .getContainerClient(place)
        .getBlockBlobClient(key);
      return [
        async () => {
          // uploadStream keeps ceil(¾ · maxConcurrency) blocks in flight and maxConcurrency buffers;
          // QUEUE_SIZE + 1 gives what the seam does: QUEUE_SIZE in flight, one more filling.
          await blob.uploadStream(source(), PART_SIZE, QUEUE_SIZE + 1);
        },
        async () => {
          const c = counter();
          const out = await blob.download(0);
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
      const file = storage.bucket(place).file(key);
      return [
        async () => {
          await pipeline(
            source(),
            file.createWriteStream({ resumable: true, validation: false, chunkSize: PART_SIZE }),
          );
        },
        async () => {
          const c = counter();
          await pipeline(file.createReadStream({ validation: false }), c.sink);
          return c.bytes();
        },
      ];
    }
  }
}

const baselineRssKb = process.resourceUsage().maxRSS;
const [write, read] = mode === 'seam' ? await seam() : await raw();
let t = performance.now();
await write();
const writeMs = performance.now() - t;
// Reads are short next to writes and the shared machine is noisy: take the best of three.
let readMs = Number.POSITIVE_INFINITY;
for (let i = 0; i < 3; i++) {
  t = performance.now();
  const bytes = await read();
  readMs = Math.min(readMs, performance.now() - t);
  if (bytes !== size) throw new Error(`read back ${bytes} bytes of ${size}`);
}
console.log(
  JSON.stringify({
    kind,
    mode,
    size,
    writeMs,
    readMs,
    baselineRssKb,
    maxRssKb: process.resourceUsage().maxRSS,
  }),
);
process.exit(0);
