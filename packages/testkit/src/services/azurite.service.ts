import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startChildService } from '../child-service.js';
import { freePort } from '../free-port.js';
import { tryContainer } from './containers.js';
import { firstAvailable, nothingToStop, type Provided } from './provided.js';

export interface AzureInfo {
  connectionString: string;
  accountName: string;
  accountKey: string;
  blobEndpoint: string;
}

/** Azurite's well-known development account (public, documented by Microsoft). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteInfo(host: string, port: number): AzureInfo {
  const blobEndpoint = `http://${host}:${port}/${DEV_ACCOUNT}`;
  return {
    accountName: DEV_ACCOUNT,
    accountKey: DEV_KEY,
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=${blobEndpoint};`,
  };
}

export async function azureAnswers(connectionString: string): Promise<boolean> {
  try {
    const service = BlobServiceClient.fromConnectionString(connectionString, {
      retryOptions: { maxTries: 1 },
    });
    await service.getProperties({ abortSignal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

async function startAzurite(): Promise<Provided<AzureInfo>> {
  const require = createRequire(import.meta.url);
  const bin = path.join(
    path.dirname(require.resolve('azurite/package.json')),
    'dist',
    'src',
    'blob',
    'main.js',
  );
  const dir = await mkdtemp(path.join(tmpdir(), 'cvb-azurite-'));
  const port = await freePort();
  const info = azuriteInfo('127.0.0.1', port);
  const child = await startChildService(
    'azurite',
    process.execPath,
    [
      bin,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--location',
      dir,
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
    ],
    { ready: () => azureAnswers(info.connectionString), removeAfterStop: dir },
  );
  return { info, provenance: 'child-process', stop: child.stop };
}

export function provideAzurite(): Promise<Provided<AzureInfo>> {
  return firstAvailable<AzureInfo>('Azure Blob emulator (Azurite)', [
    [
      'TEST_AZURE_CONNECTION_STRING',
      async () => {
        const connectionString = process.env.TEST_AZURE_CONNECTION_STRING;
        if (!connectionString) return undefined;
        if (!(await azureAnswers(connectionString)))
          throw new Error('set, but the blob service does not answer');
        const part = (k: string) => new RegExp(`${k}=([^;]+)`).exec(connectionString)?.[1] ?? '';
        return {
          info: {
            connectionString,
            accountName: part('AccountName'),
            accountKey: part('AccountKey'),
            blobEndpoint: part('BlobEndpoint'),
          },
          provenance: 'environment',
          stop: nothingToStop,
        };
      },
    ],
    [
      'Azurite on 127.0.0.1:10000',
      async () => {
        const info = azuriteInfo('127.0.0.1', 10000);
        return (await azureAnswers(info.connectionString))
          ? { info, provenance: 'already-running', stop: nothingToStop }
          : undefined;
      },
    ],
    ['azurite-blob child process', startAzurite],
    [
      'testcontainers',
      () =>
        tryContainer(
          'mcr.microsoft.com/azure-storage/azurite',
          10000,
          ['azurite-blob', '--blobHost', '0.0.0.0', '--skipApiVersionCheck', '--loose'],
          async (host, port) => azuriteInfo(host, port),
        ),
    ],
  ]);
}
