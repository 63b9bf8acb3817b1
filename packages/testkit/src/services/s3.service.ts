import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { startChildService } from '../child-service.js';
import { freePort } from '../free-port.js';
import { tryContainer } from './containers.js';
import { firstAvailable, nothingToStop, type Provided } from './provided.js';

export interface S3Info {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** An S3 client set up the way S3-compatible test servers need (see environment.md). */
export function s3Client(info: S3Info): S3Client {
  return new S3Client({
    endpoint: info.endpoint,
    region: info.region,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}

export async function s3Answers(info: S3Info): Promise<boolean> {
  const client = s3Client(info);
  try {
    await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
const minioCredentials = { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin', region: 'us-east-1' };

function fromEnvironment(): S3Info | undefined {
  const endpoint = process.env.TEST_S3_ENDPOINT;
  if (!endpoint) return undefined;
  return {
    endpoint,
    region: process.env.TEST_S3_REGION ?? 'us-east-1',
    accessKeyId: process.env.TEST_S3_ACCESS_KEY_ID ?? 'S3RVER',
    secretAccessKey: process.env.TEST_S3_SECRET_ACCESS_KEY ?? 'S3RVER',
  };
}

async function startS3rver(): Promise<Provided<S3Info>> {
  const require = createRequire(import.meta.url);
  const bin = path.join(path.dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');
  const dir = await mkdtemp(path.join(tmpdir(), 'cvb-s3-'));
  const port = await freePort();
  const info = { endpoint: `http://127.0.0.1:${port}`, ...s3rverCredentials };
  // Without the legacy provider s3rver answers paginated ListObjectsV2 with 500 (environment.md).
  const child = await startChildService(
    's3rver',
    process.execPath,
    [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent'],
    {
      env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
      ready: () => s3Answers(info),
      removeAfterStop: dir,
    },
  );
  return { info, provenance: 'child-process', stop: child.stop };
}

export function provideS3(): Promise<Provided<S3Info>> {
  return firstAvailable<S3Info>('S3-compatible server', [
    [
      'TEST_S3_ENDPOINT',
      async () => {
        const info = fromEnvironment();
        if (!info) return undefined;
        if (!(await s3Answers(info))) throw new Error(`set to ${info.endpoint}, but ListBuckets fails there`);
        return { info, provenance: 'environment', stop: nothingToStop };
      },
    ],
    [
      'MinIO on 127.0.0.1:9000',
      async () => {
        const info = { endpoint: 'http://127.0.0.1:9000', ...minioCredentials };
        return (await s3Answers(info))
          ? { info, provenance: 'already-running', stop: nothingToStop }
          : undefined;
      },
    ],
    ['s3rver child process', startS3rver],
    [
      'testcontainers',
      () =>
        tryContainer('minio/minio', 9000, ['server', '/data'], async (host, port) => ({
          endpoint: `http://${host}:${port}`,
          ...minioCredentials,
        })),
    ],
  ]);
}
