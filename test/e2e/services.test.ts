/**
 * The harness works: each storage backend round-trips an object through its official SDK, BullMQ
 * runs a job on the harness's Redis, and PostgreSQL gives this file a database of its own.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import {
  createAzureContainer,
  createGcsBucket,
  createS3Bucket,
  createTestDatabase,
  deleteRedisKeys,
  gcsClient,
  s3Client,
  testServices,
  uniqueName,
} from '@cvat-backup/testkit';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const payload = Buffer.from(`round trip ${uniqueName()} \u00e9\u4e2d\u{1f600}`, 'utf8');

describe('storage backends round-trip an object with their official SDKs', () => {
  it('local filesystem', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cvb-local-'));
    try {
      await writeFile(path.join(dir, 'object.bin'), payload);
      expect(await readFile(path.join(dir, 'object.bin'))).toEqual(payload);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('S3 (@aws-sdk/client-s3)', async () => {
    const bucket = await createS3Bucket();
    const client = s3Client(testServices().s3);
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket.name, Key: 'dir/object.bin', Body: payload }));
      const got = await client.send(new GetObjectCommand({ Bucket: bucket.name, Key: 'dir/object.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(payload);
    } finally {
      client.destroy();
      await bucket.remove();
    }
  });

  it('Azure Blob (@azure/storage-blob on Azurite)', async () => {
    const container = await createAzureContainer();
    try {
      const blob = BlobServiceClient.fromConnectionString(testServices().azure.connectionString)
        .getContainerClient(container.name)
        .getBlockBlobClient('dir/object.bin');
      await blob.uploadData(payload);
      expect(await blob.downloadToBuffer()).toEqual(payload);
    } finally {
      await container.remove();
    }
  });

  it('Google Cloud Storage (@google-cloud/storage on the emulator)', async () => {
    const bucket = await createGcsBucket();
    try {
      const file = gcsClient().bucket(bucket.name).file('dir/object.bin');
      await file.save(payload, { resumable: false });
      const [downloaded] = await file.download();
      expect(downloaded).toEqual(payload);
    } finally {
      await bucket.remove();
    }
  });
});

describe('BullMQ on the harness Redis', () => {
  const prefix = uniqueName('bull');
  afterAll(async () => {
    await deleteRedisKeys(prefix);
  });

  it('runs one job from queue to completion', async () => {
    const connection = new Redis(testServices().redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue('smoke', { connection, prefix });
    const events = new QueueEvents('smoke', { connection: connection.duplicate(), prefix });
    const worker = new Worker('smoke', async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), {
      connection: connection.duplicate({ maxRetriesPerRequest: null }),
      prefix,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      await expect(job.waitUntilFinished(events, 20_000)).resolves.toEqual({ doubled: 42 });
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      connection.disconnect();
    }
  });
});

describe('PostgreSQL on the harness', () => {
  it('gives a test its own database and removes it after', async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
      expect(rows[0]?.name).toBe(db.name);
    } finally {
      await client.end();
      await db.drop();
    }
    const admin = new pg.Client({ connectionString: testServices().postgresAdminUrl });
    await admin.connect();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
    await admin.end();
    expect(rowCount).toBe(0);
  });
});
