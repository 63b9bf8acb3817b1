/**
 * Per-test isolation on the shared services: every test gets its own database, queue prefix,
 * bucket or container, so suites run in parallel and leave nothing behind.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { AzureInfo } from './services/azurite.service.js';
import type { GcsInfo } from './services/gcs.service.js';
import { type S3Info, s3Client } from './services/s3.service.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run the tests through vitest, whose global setup provides the services`,
    );
  return value;
}

export interface TestServices {
  redisUrl: string;
  postgresAdminUrl: string;
  s3: S3Info;
  azure: AzureInfo;
  gcs: GcsInfo;
}

/** Where the global setup put the services. */
export function testServices(): TestServices {
  const connectionString = required('TEST_AZURE_CONNECTION_STRING');
  const part = (k: string) => new RegExp(`${k}=([^;]+)`).exec(connectionString)?.[1] ?? '';
  return {
    redisUrl: required('TEST_REDIS_URL'),
    postgresAdminUrl: required('TEST_DATABASE_URL'),
    s3: {
      endpoint: required('TEST_S3_ENDPOINT'),
      region: required('TEST_S3_REGION'),
      accessKeyId: required('TEST_S3_ACCESS_KEY_ID'),
      secretAccessKey: required('TEST_S3_SECRET_ACCESS_KEY'),
    },
    azure: {
      connectionString,
      accountName: part('AccountName'),
      accountKey: part('AccountKey'),
      blobEndpoint: part('BlobEndpoint'),
    },
    gcs: { endpoint: required('TEST_GCS_ENDPOINT'), projectId: 'test-project' },
  };
}

/** A short unique lower-case name, valid as a bucket, container, database or queue prefix. */
export function uniqueName(label = 't'): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`.toLowerCase();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database of its own for one test file; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = testServices().postgresAdminUrl;
  const name = uniqueName('cvb').replace(/-/g, '_');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Deletes every Redis key under a prefix (BullMQ queues of one test). */
export async function deleteRedisKeys(prefix: string, redisUrl = testServices().redisUrl): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export interface TestBucket {
  name: string;
  remove(): Promise<void>;
}

export async function createS3Bucket(info = testServices().s3): Promise<TestBucket> {
  const name = uniqueName('cvb');
  const client = s3Client(info);
  await client.send(new CreateBucketCommand({ Bucket: name }));
  return {
    name,
    remove: async () => {
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: name, ContinuationToken: token }));
        // One by one: s3rver answers a batch DeleteObjects across folders with 500.
        for (const object of page.Contents ?? [])
          await client.send(new DeleteObjectCommand({ Bucket: name, Key: object.Key }));
        token = page.NextContinuationToken;
      } while (token);
      await client.send(new DeleteBucketCommand({ Bucket: name }));
      client.destroy();
    },
  };
}

export async function createAzureContainer(info = testServices().azure): Promise<TestBucket> {
  const name = uniqueName('cvb');
  const container = BlobServiceClient.fromConnectionString(info.connectionString).getContainerClient(name);
  await container.create();
  return { name, remove: async () => void (await container.deleteIfExists()) };
}

/** The GCS emulator has no bucket creation: a bucket exists once an object is written under it. */
export async function createGcsBucket(info = testServices().gcs): Promise<TestBucket> {
  const name = uniqueName('cvb');
  return {
    name,
    remove: async () => {
      const bucket = gcsClient(info).bucket(name);
      const [files] = await bucket.getFiles();
      await Promise.all(files.map((f) => f.delete({ ignoreNotFound: true })));
    },
  };
}

/** A GCS client for the emulator: a fixed bearer token ("owner") passes its admin checks. */
export function gcsClient(info = testServices().gcs): Storage {
  return new Storage({
    apiEndpoint: info.endpoint,
    projectId: info.projectId,
    token: 'owner',
  } as ConstructorParameters<typeof Storage>[0]);
}
