import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildService } from '../child-service.js';
import { freePort } from '../free-port.js';
import { tryContainer } from './containers.js';
import { firstAvailable, nothingToStop, type Provided } from './provided.js';

export interface GcsInfo {
  /** Base URL of the GCS JSON API (`apiEndpoint` of @google-cloud/storage). */
  endpoint: string;
  projectId: string;
}

/** True when a GCS JSON API answers an object listing at the endpoint. */
export async function gcsAnswers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/storage/v1/b/cvb-probe/o`, {
      headers: { authorization: 'Bearer owner' },
      signal: AbortSignal.timeout(2000),
    });
    const body = (await res.json()) as { kind?: string };
    return res.ok && body.kind === 'storage#objects';
  } catch {
    return false;
  }
}

async function startFirebaseStorageEmulator(): Promise<Provided<GcsInfo>> {
  // src/services/ and dist/services/ are both two levels below the package root.
  const script = fileURLToPath(new URL('../../bin/gcs-emulator.cjs', import.meta.url));
  // The emulator keeps blobs under $TMPDIR/firebase/storage: one TMPDIR per instance.
  const dir = await mkdtemp(path.join(tmpdir(), 'cvb-gcs-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = await startChildService('gcs-emulator', process.execPath, [script, String(port)], {
    env: { ...process.env, TMPDIR: dir },
    ready: () => gcsAnswers(endpoint),
    removeAfterStop: dir,
  });
  return { info: { endpoint, projectId: 'test-project' }, provenance: 'child-process', stop: child.stop };
}

export function provideGcs(): Promise<Provided<GcsInfo>> {
  return firstAvailable<GcsInfo>('Google Cloud Storage emulator', [
    [
      'TEST_GCS_ENDPOINT',
      async () => {
        const endpoint = process.env.TEST_GCS_ENDPOINT;
        if (!endpoint) return undefined;
        if (!(await gcsAnswers(endpoint)))
          throw new Error(`set to ${endpoint}, but no GCS JSON API answers there`);
        return {
          info: { endpoint, projectId: 'test-project' },
          provenance: 'environment',
          stop: nothingToStop,
        };
      },
    ],
    [
      'fake-gcs-server on 127.0.0.1:4443',
      async () => {
        const endpoint = 'http://127.0.0.1:4443';
        return (await gcsAnswers(endpoint))
          ? {
              info: { endpoint, projectId: 'test-project' },
              provenance: 'already-running',
              stop: nothingToStop,
            }
          : undefined;
      },
    ],
    ['firebase storage emulator child process', startFirebaseStorageEmulator],
    [
      'testcontainers',
      () =>
        tryContainer(
          'fsouza/fake-gcs-server',
          4443,
          ['-scheme', 'http', '-port', '4443'],
          async (host, port) => ({
            endpoint: `http://${host}:${port}`,
            projectId: 'test-project',
          }),
        ),
    ],
  ]);
}
