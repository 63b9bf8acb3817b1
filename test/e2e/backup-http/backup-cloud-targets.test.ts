/**
 * Export to an Azure container and a GCS bucket (the emulators) and restore from the object's key,
 * over HTTP with a real worker: the same two calls as for S3, each provider's driver underneath.
 */
import {
  createAzureContainer,
  createGcsBucket,
  gcsClient,
  type TestBucket,
  testServices,
} from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackupApi, type HttpUser, openBackupApi, settled } from './backup-api.js';
import { createLocalTask, json } from './task-backup.js';

describe('cloud targets and sources other than S3', () => {
  let api: BackupApi;
  let alice: HttpUser;
  let task: number;
  const buckets: TestBucket[] = [];

  beforeAll(async () => {
    api = await openBackupApi();
    alice = await api.user();
    task = await createLocalTask(alice, 'to the clouds');
    await api.worker.start();
  });
  afterAll(async () => {
    await api?.close();
    for (const bucket of buckets) await bucket.remove().catch(() => undefined);
  });

  const providers: Array<[string, () => Promise<Record<string, unknown>>]> = [
    [
      'Azure',
      async () => {
        const container = await createAzureContainer();
        buckets.push(container);
        return {
          provider_type: 'AZURE_CONTAINER',
          resource: container.name,
          display_name: 'azure',
          credentials_type: 'CONNECTION_STRING',
          connection_string: testServices().azure.connectionString,
        };
      },
    ],
    [
      'GCS',
      async () => {
        const bucket = await createGcsBucket();
        buckets.push(bucket);
        // The emulator has a bucket once an object is in it.
        await gcsClient().bucket(bucket.name).file('placeholder').save('x');
        return {
          provider_type: 'GOOGLE_CLOUD_STORAGE',
          resource: bucket.name,
          display_name: 'gcs',
          credentials_type: 'ANONYMOUS_ACCESS',
          specific_attributes: `endpoint_url=${encodeURIComponent(testServices().gcs.endpoint)}&project=${testServices().gcs.projectId}`,
        };
      },
    ],
  ];

  it.each(providers)('backs up to %s and restores from the key', async (_name, record) => {
    const storage = (
      await json(await alice.call('/api/cloudstorages', { method: 'POST', json: await record() }), 201)
    ).id as number;
    const query = `location=cloud_storage&cloud_storage_id=${storage}&filename=copy.zip`;
    const { rq_id } = await json(
      await alice.call(`/api/tasks/${task}/backup/export?${query}`, { method: 'POST' }),
      202,
    );
    const exported = await settled(alice, rq_id as string);
    expect(exported.status, String(exported.message)).toBe('finished');
    expect(exported.result_url).toBeNull();
    const started = await json(await alice.call(`/api/tasks/backup?${query}`, { method: 'POST' }), 202);
    const restored = await settled(alice, started.rq_id as string);
    expect(restored.status, String(restored.message)).toBe('finished');
    const copy = await json(await alice.call(`/api/tasks/${restored.result_id}`), 200);
    expect([copy.name, copy.size]).toEqual(['to the clouds', 3]);
  });
});
