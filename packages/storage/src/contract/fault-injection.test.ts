import { pipeline } from 'node:stream/promises';
import {
  createAzureContainer,
  createGcsBucket,
  createS3Bucket,
  type FaultProxy,
  startFaultProxy,
  testServices,
} from '@cvat-backup/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { AzureDriver } from '../azure/azure.driver.js';
import { GcsDriver } from '../gcs/gcs.driver.js';
import { S3Driver } from '../s3/s3.driver.js';
import type { StorageDriver } from '../storage-driver.js';
import { digestOf, randomStream } from './test-data.js';

const MiB = 1024 * 1024;
const SIZE = 16 * MiB;
const tuning = {
  partSize: 5 * MiB,
  queueSize: 2,
  requestTimeoutMs: 1500,
  retry: { attempts: 4, baseDelayMs: 50, maxDelayMs: 300 },
};

interface Backend {
  name: string;
  /** Whether an upload survives a broken connection (parts/chunks are retried on their own). */
  uploadsRetry: boolean;
  /** Matches the request that publishes a parted write (Complete, commitBlockList, final chunk). */
  commitRequest: RegExp;
  setup(): Promise<{
    direct: StorageDriver;
    proxied: StorageDriver;
    proxy: FaultProxy;
    cleanup: () => Promise<void>;
  }>;
}

const port = (url: string) => Number(new URL(url).port);

const backends: Backend[] = [
  {
    name: 's3',
    uploadsRetry: true,
    commitRequest: /^POST \S*uploadId=/m,
    setup: async () => {
      const { s3 } = testServices();
      const bucket = await createS3Bucket();
      const proxy = await startFaultProxy({ port: port(s3.endpoint) });
      const base = {
        kind: 's3' as const,
        bucket: bucket.name,
        region: s3.region,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        ...tuning,
      };
      const direct = new S3Driver({ ...base, endpoint: s3.endpoint });
      const proxied = new S3Driver({ ...base, endpoint: proxy.url });
      return { direct, proxied, proxy, cleanup: () => emptyThen(direct, bucket.remove) };
    },
  },
  {
    name: 'azure',
    uploadsRetry: true,
    commitRequest: /^PUT \S*comp=blocklist/m,
    setup: async () => {
      const { azure } = testServices();
      const container = await createAzureContainer();
      const proxy = await startFaultProxy({ port: port(azure.blobEndpoint) });
      const base = {
        kind: 'azure' as const,
        container: container.name,
        accountName: azure.accountName,
        accountKey: azure.accountKey,
        ...tuning,
      };
      const direct = new AzureDriver({ ...base, endpoint: azure.blobEndpoint });
      const proxied = new AzureDriver({
        ...base,
        endpoint: azure.blobEndpoint.replace(/:\d+/, `:${proxy.port}`),
      });
      return { direct, proxied, proxy, cleanup: container.remove };
    },
  },
  {
    name: 'gcs',
    uploadsRetry: true,
    commitRequest: /^content-range: bytes [^/\r\n]+\/\d+/im,
    setup: async () => {
      const { gcs } = testServices();
      const bucket = await createGcsBucket();
      const proxy = await startFaultProxy({ port: port(gcs.endpoint) });
      const base = { kind: 'gcs' as const, bucket: bucket.name, projectId: gcs.projectId, ...tuning };
      const direct = new GcsDriver({ ...base, apiEndpoint: gcs.endpoint });
      const proxied = new GcsDriver({ ...base, apiEndpoint: proxy.url });
      return { direct, proxied, proxy, cleanup: bucket.remove };
    },
  },
];

/** Drops the request that publishes a write (upstream) or its answer (downstream). */
const dropAtCommit = (backend: Backend, direction: 'upstream' | 'downstream', times: number) =>
  ({ kind: 'drop', direction, afterBytes: 0, times, armedBy: backend.commitRequest }) as const;

async function emptyThen(driver: StorageDriver, remove: () => Promise<void>) {
  for await (const page of driver.list('')) for (const e of page) await driver.delete(e.key);
  await remove();
}

async function upload(driver: StorageDriver, key: string) {
  const { stream, digest } = randomStream(SIZE, 256 * 1024);
  const write = driver.openWrite(key, { sizeHint: SIZE });
  try {
    await pipeline(stream, write);
    await write.commit();
    return { committed: true as const, digest: digest() };
  } catch (err) {
    await write.abort();
    return { committed: false as const, error: err as { code?: string; retryable?: boolean } };
  }
}

for (const backend of backends) {
  describe(`${backend.name} under injected network faults`, () => {
    let env: Awaited<ReturnType<Backend['setup']>> | undefined;
    afterEach(async () => {
      await env?.proxy.close();
      await env?.proxied.close();
      await env?.cleanup();
      await env?.direct.close();
      env = undefined;
    });

    for (const kind of ['drop', 'stall'] as const) {
      it(`an upload whose connection ${kind}s mid-transfer ${backend.uploadsRetry ? 'completes after retries' : 'aborts cleanly'}`, async () => {
        env = await backend.setup();
        env.proxy.inject({ kind, direction: 'upstream', afterBytes: 7 * MiB });
        const result = await upload(env.proxied, 'up.bin');
        expect(env.proxy.hits).toBe(1);
        if (result.committed) {
          expect(backend.uploadsRetry).toBe(true);
          const back = await digestOf(await env.direct.read('up.bin'));
          expect(back).toEqual({ sha256: result.digest, size: SIZE });
        } else {
          expect(backend.uploadsRetry).toBe(false);
          expect(result.error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
          expect(await env.direct.head('up.bin')).toBeUndefined();
        }
      }, 30_000);
    }

    it('an upload whose connections keep dropping fails retryably and leaves nothing', async () => {
      env = await backend.setup();
      env.proxy.inject({ kind: 'drop', direction: 'upstream', afterBytes: 2 * MiB, times: 1000 });
      const result = await upload(env.proxied, 'never.bin');
      expect(result.committed).toBe(false);
      if (!result.committed)
        expect(result.error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
      expect(await env.direct.head('never.bin')).toBeUndefined();
      const listed: string[] = [];
      for await (const page of env.direct.list('')) listed.push(...page.map((e) => e.key));
      expect(listed).toEqual([]);
    }, 30_000);

    for (const kind of ['drop', 'stall'] as const) {
      it(`a download whose connection ${kind}s mid-body resumes where it broke`, async () => {
        env = await backend.setup();
        const sent = await upload(env.direct, 'down.bin');
        expect(sent.committed).toBe(true);
        env.proxy.inject({ kind, direction: 'downstream', afterBytes: 5 * MiB });
        const back = await digestOf(await env.proxied.read('down.bin'));
        expect(env.proxy.hits).toBe(1);
        expect(back).toEqual({ sha256: sent.committed ? sent.digest : '', size: SIZE });
      }, 30_000);
    }
    it('head, list and delete requests whose answer stalls are cut at the request timeout and retried', async () => {
      env = await backend.setup();
      const sent = await upload(env.direct, 'meta.bin');
      expect(sent.committed).toBe(true);
      const stalled = async <T>(op: () => Promise<T>): Promise<T> => {
        const hitsBefore = env!.proxy.hits;
        env!.proxy.inject({ kind: 'stall', direction: 'downstream', afterBytes: 0 });
        const started = Date.now();
        const out = await op();
        // The answer was held once, then a retry got it: slower than the timeout, far below the test's.
        expect(env!.proxy.hits).toBe(hitsBefore + 1);
        expect(Date.now() - started).toBeGreaterThanOrEqual(tuning.requestTimeoutMs);
        return out;
      };
      expect((await stalled(() => env!.proxied.head('meta.bin')))?.size).toBe(SIZE);
      const listed = await stalled(async () => {
        const keys: string[] = [];
        for await (const page of env!.proxied.list('')) keys.push(...page.map((e) => e.key));
        return keys;
      });
      expect(listed).toEqual(['meta.bin']);
      await stalled(() => env!.proxied.delete('meta.bin'));
      expect(await env.direct.head('meta.bin')).toBeUndefined();
    }, 30_000);

    it('a commit whose answer is lost reports the write committed', async () => {
      env = await backend.setup();
      // The commit reaches the store, which publishes the object; its answer never arrives.
      env.proxy.inject(dropAtCommit(backend, 'downstream', 1));
      const result = await upload(env.proxied, 'lost.bin');
      expect(env.proxy.hits).toBe(1);
      expect(result).toMatchObject({ committed: true });
      const info = await env.direct.head('lost.bin');
      expect(info?.size).toBe(SIZE);
      const back = await digestOf(await env.direct.read('lost.bin'));
      expect(back).toEqual({ sha256: result.committed ? result.digest : '', size: SIZE });
    }, 30_000);

    it('a commit that never reaches the store fails retryably and publishes nothing', async () => {
      env = await backend.setup();
      env.proxy.inject(dropAtCommit(backend, 'upstream', 1000));
      const result = await upload(env.proxied, 'never.bin');
      expect(result.committed).toBe(false);
      if (!result.committed)
        expect(result.error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
      expect(await env.direct.head('never.bin')).toBeUndefined();
    }, 30_000);
  });
}
