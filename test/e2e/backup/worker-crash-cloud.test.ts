/**
 * A worker SIGKILLed while it exports to an S3 target (s3rver behind the fault proxy, so the kill lands
 * at a chosen request): mid-part, and between CompleteMultipartUpload and the job's completion. The
 * bucket never shows a partial archive under the final key, and the job completes after a restart.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ExportOutcome } from '@cvat-backup/backup';
import type { NewCloudStorage } from '@cvat-backup/catalog';
import { FileSource, openBackup } from '@cvat-backup/format';
import { createDriver, type StorageDriver } from '@cvat-backup/storage';
import {
  createAzureContainer,
  createGcsBucket,
  createS3Bucket,
  type Fault,
  type FaultProxy,
  gcsClient,
  startFaultProxy,
  type TestBucket,
  testServices,
} from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkerHarness, type WorkerHarness } from './worker-harness.js';

const FILES = 160; // 64 KiB each: 10 MiB, two parts (S3) or blocks (Azure) of the drivers' 8 MiB

/** How a test reaches one provider: the worker through the fault proxy, the test directly. */
interface CloudTarget {
  upstreamPort: number;
  create(): Promise<TestBucket>;
  /** The cloud storage record the worker uses, its endpoint being the proxy at `proxyPort`. */
  record(bucket: string, proxyPort: number): NewCloudStorage;
  direct(bucket: string): StorageDriver;
  /** Request lines of one part upload, and of the commit that publishes the object. */
  part: RegExp;
  commit: RegExp;
}

/** `url` with the proxy (on 127.0.0.1) in place of its host and port. */
const viaProxy = (url: string, port: number) => {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString().replace(/\/$/, '');
};

const { s3, azure, gcs } = testServices();
const targets: Array<[string, CloudTarget]> = [
  [
    'S3',
    {
      upstreamPort: Number(new URL(s3.endpoint).port),
      create: () => createS3Bucket(),
      record: (bucket, proxyPort) => ({
        provider_type: 'AWS_S3_BUCKET',
        resource: bucket,
        display_name: 'crash target',
        credentials_type: 'KEY_SECRET_KEY_PAIR',
        credentials: { key: s3.accessKeyId, secret_key: s3.secretAccessKey },
        specific_attributes: `endpoint_url=${encodeURIComponent(viaProxy(s3.endpoint, proxyPort))}&region=${s3.region}`,
        manifests: [],
      }),
      direct: (bucket) =>
        createDriver({
          kind: 's3',
          bucket,
          endpoint: s3.endpoint,
          region: s3.region,
          credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        }),
      part: /^PUT \S*[?&]partNumber=1[& ]/m,
      commit: /^POST \S*[?&]uploadId=/m,
    },
  ],
  [
    'Azure',
    {
      upstreamPort: Number(new URL(azure.blobEndpoint).port),
      create: () => createAzureContainer(),
      record: (container, proxyPort) => ({
        provider_type: 'AZURE_CONTAINER',
        resource: container,
        display_name: 'crash target',
        credentials_type: 'CONNECTION_STRING',
        credentials: {
          connection_string: azure.connectionString.replace(
            azure.blobEndpoint,
            viaProxy(azure.blobEndpoint, proxyPort),
          ),
        },
        specific_attributes: '',
        manifests: [],
      }),
      direct: (container) =>
        createDriver({ kind: 'azure', container, connectionString: azure.connectionString }),
      part: /^PUT \S*[?&]comp=block&/m,
      commit: /^PUT \S*[?&]comp=blocklist/m,
    },
  ],
  [
    'GCS',
    {
      upstreamPort: Number(new URL(gcs.endpoint).port),
      async create() {
        const bucket = await createGcsBucket();
        // The emulator has a bucket once an object is in it.
        await gcsClient().bucket(bucket.name).file('placeholder').save('x');
        return bucket;
      },
      record: (bucket, proxyPort) => ({
        provider_type: 'GOOGLE_CLOUD_STORAGE',
        resource: bucket,
        display_name: 'crash target',
        credentials_type: 'ANONYMOUS_ACCESS',
        credentials: {},
        specific_attributes: `endpoint_url=${encodeURIComponent(viaProxy(gcs.endpoint, proxyPort))}&project=${gcs.projectId}`,
        manifests: [],
      }),
      direct: (bucket) =>
        createDriver({ kind: 'gcs', bucket, apiEndpoint: gcs.endpoint, projectId: gcs.projectId }),
      // A chunk of an open session, and the final request (it names the total size).
      part: /^content-range: bytes \d+-\d+\/\*\r$/im,
      commit: /^content-range: bytes (\d+-\d+|\*)\/\d+\r$/im,
    },
  ],
];

describe.each(targets)('a worker killed during an export to an %s target', (_name, target) => {
  let h: WorkerHarness;
  let bucket: TestBucket;
  let proxy: FaultProxy;
  let direct: StorageDriver;
  let storageId: number;

  beforeAll(async () => {
    [h, bucket, proxy] = await Promise.all([
      openWorkerHarness(),
      target.create(),
      startFaultProxy({ port: target.upstreamPort }),
    ]);
    storageId = (await h.fx.catalog.cloudStorages.create(h.fx.actor, target.record(bucket.name, proxy.port)))
      .id;
    direct = target.direct(bucket.name);
  });

  afterAll(async () => {
    await h?.close();
    await direct?.close();
    await proxy?.close();
    await bucket?.remove();
  });

  async function keys(): Promise<string[]> {
    const all: string[] = [];
    for await (const page of direct.list('')) all.push(...page.map((e) => e.key));
    return all;
  }

  /** Downloads the object in one stream (ranged reads from s3rver are slow), checks CRCs and checksums. */
  async function expectWholeArchive(key: string): Promise<void> {
    const file = path.join(h.dataRoot, `check-${randomUUID()}.zip`);
    await pipeline(await direct.read(key), createWriteStream(file));
    const backup = await openBackup(await FileSource.open(file), { expect: 'task' });
    try {
      expect(backup.kind === 'task' && backup.task.media.length).toBe(FILES + 1);
      expect(await backup.verify()).toMatchObject({ checksums: true, entries: FILES + 4 });
    } finally {
      await backup.close();
      await rm(file);
    }
  }

  /** Starts an export to the bucket, lets `fault` fire on its traffic, and SIGKILLs the worker then. */
  async function exportKilledAt(fault: Fault, name: string) {
    const taskId = await h.createBigTask(name, FILES);
    const hits = proxy.hits;
    proxy.inject(fault);
    const { rqId } = await h.producer.enqueueExport(
      h.exportRequest({
        targetId: taskId,
        destination: { location: 'cloud_storage', cloudStorageId: storageId },
      }),
    );
    const deadline = Date.now() + 30_000;
    while (proxy.hits === hits) {
      if (Date.now() > deadline) throw new Error(`the fault never fired:\n${h.worker.output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await h.worker.kill();
    proxy.clear();
    return { rqId, taskId };
  }

  async function completesAfterRestart(rqId: string): Promise<ExportOutcome> {
    await h.worker.start();
    const outcome = await h.finished<ExportOutcome>('exports', rqId);
    expect(outcome).toMatchObject({ location: 'cloud_storage', cloudStorageId: storageId, reused: false });
    // Exactly one object under the final key, and it is what the request's result points to.
    expect((await keys()).filter((k) => k === outcome.key)).toEqual([outcome.key]);
    expect((await direct.head(outcome.key))?.size).toBe(outcome.size);
    await expectWholeArchive(outcome.key);
    return outcome;
  }

  /** Keys that were not in the bucket before (the GCS emulator needs a placeholder object). */
  const added = async (before: string[]) => (await keys()).filter((k) => !before.includes(k));

  it('killed while parts are uploading: nothing in the bucket, then one whole archive', async () => {
    const before = await keys();
    // The first part stalls after 1 MiB: the kill lands with a part in flight.
    const { rqId } = await exportKilledAt(
      { kind: 'stall', direction: 'upstream', afterBytes: 1 << 20, armedBy: target.part },
      'cloud crash parts',
    );
    // Parts and staged blocks are invisible until committed: no object at all, under any key.
    expect(await added(before)).toEqual([]);
    const outcome = await completesAfterRestart(rqId);
    expect(await added(before)).toEqual([outcome.key]);
  });

  it('killed after the commit was sent: the object is whole, and the retry finishes the job', async () => {
    const before = await keys();
    // The commit reaches the store, its answer is held: the worker dies between commit and completion.
    const { rqId } = await exportKilledAt(
      { kind: 'stall', direction: 'downstream', afterBytes: 0, armedBy: target.commit },
      'cloud crash commit',
    );
    const committed = await added(before);
    expect(committed).toHaveLength(1);
    await expectWholeArchive(committed[0]!);
    const outcome = await completesAfterRestart(rqId);
    expect(outcome.key).toBe(committed[0]);
    expect(await added(before)).toEqual([outcome.key]);
  });
});
