import { createS3Bucket, testServices, uniqueName } from '@cvat-backup/testkit';
import { describe, expect, it } from 'vitest';
import { type S3Config, S3Driver } from '../s3/s3.driver.js';
import { describeDriverContract, emptyStorage } from './driver-contract.js';

const MiB = 1024 * 1024;

function config(bucket: string): S3Config {
  const { s3 } = testServices();
  return {
    kind: 's3',
    bucket,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    partSize: 5 * MiB,
    queueSize: 2,
    retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
  };
}

describeDriverContract('s3', {
  partSize: 5 * MiB,
  create: async () => {
    const bucket = await createS3Bucket();
    const driver = new S3Driver(config(bucket.name));
    return { driver, cleanup: () => emptyStorage(driver).then(bucket.remove) };
  },
  missingBucket: () => new S3Driver(config(uniqueName('absent'))),
  badCredentials: async () => {
    const bucket = await createS3Bucket();
    const secret = `wrong-secret-${uniqueName()}`;
    const driver = new S3Driver({
      ...config(bucket.name),
      credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: secret },
    });
    return { driver, secret, cleanup: bucket.remove };
  },
});

describe('s3 sweepIncomplete', () => {
  // s3rver has no ListMultipartUploads (it answers NotImplemented): the sweep must not fail there.
  it('finds nothing, and fails nothing, on a store without ListMultipartUploads', async () => {
    const bucket = await createS3Bucket();
    const driver = new S3Driver(config(bucket.name));
    try {
      const write = driver.openWrite('crashed.bin');
      await new Promise<void>((resolve) => write.write(Buffer.alloc(6 * MiB), () => resolve()));
      expect(await driver.sweepIncomplete({ olderThanMs: 0 })).toBe(0);
      await write.abort();
    } finally {
      await emptyStorage(driver).then(bucket.remove);
      await driver.close();
    }
  }, 30_000);
});
