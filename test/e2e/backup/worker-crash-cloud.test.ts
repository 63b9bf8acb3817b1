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
import { FileSource, openBackup } from '@cvat-backup/format';
import { createDriver, type StorageDriver } from '@cvat-backup/storage';
import {
  createS3Bucket,
  type Fault,
  type FaultProxy,
  startFaultProxy,
  type TestBucket,
  testServices,
} from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkerHarness, type WorkerHarness } from './worker-harness.js';

const FILES = 160; // 64 KiB each: 10 MiB, two parts of the driver's 8 MiB

describe('a worker killed during an export to an S3 target', () => {
  let h: WorkerHarness;
  let bucket: TestBucket;
  let proxy: FaultProxy;
  let direct: StorageDriver;
  let storageId: number;

  beforeAll(async () => {
    const s3 = testServices().s3;
    [h, bucket, proxy] = await Promise.all([
      openWorkerHarness(),
      createS3Bucket(),
      startFaultProxy({ port: Number(new URL(s3.endpoint).port) }),
    ]);
    const storage = await h.fx.catalog.cloudStorages.create(h.fx.actor, {
      provider_type: 'AWS_S3_BUCKET',
      resource: bucket.name,
      display_name: 'crash target',
      credentials_type: 'KEY_SECRET_KEY_PAIR',
      credentials: { key: s3.accessKeyId, secret_key: s3.secretAccessKey },
      // The worker reaches the bucket through the proxy; the test reads it directly.
      specific_attributes: `endpoint_url=${encodeURIComponent(proxy.url)}&region=${s3.region}`,
      manifests: [],
    });
    storageId = storage.id;
    direct = createDriver({
      kind: 's3',
      bucket: bucket.name,
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
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

  it('killed while parts are uploading: nothing in the bucket, then one whole archive', async () => {
    // The first part stalls after 1 MiB: the kill lands with a part in flight.
    const { rqId } = await exportKilledAt(
      { kind: 'stall', direction: 'upstream', afterBytes: 1 << 20, armedBy: /^PUT \S*[?&]partNumber=1[& ]/m },
      'cloud crash parts',
    );
    // A multipart upload is invisible until completed: no object at all, under any key.
    expect(await keys()).toEqual([]);
    const outcome = await completesAfterRestart(rqId);
    expect(await keys()).toEqual([outcome.key]);
  });

  it('killed after CompleteMultipartUpload was sent: the object is whole, and the retry finishes the job', async () => {
    const before = await keys();
    // The commit reaches s3rver, its answer is held: the worker dies between commit and completion.
    const { rqId } = await exportKilledAt(
      { kind: 'stall', direction: 'downstream', afterBytes: 0, armedBy: /^POST \S*[?&]uploadId=/m },
      'cloud crash commit',
    );
    const committed = (await keys()).filter((k) => !before.includes(k));
    expect(committed).toHaveLength(1);
    await expectWholeArchive(committed[0]!);
    const outcome = await completesAfterRestart(rqId);
    expect(outcome.key).toBe(committed[0]);
    expect((await keys()).filter((k) => !before.includes(k))).toEqual([outcome.key]);
  });
});
