import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDriver } from '../local/local.driver.js';
import { describeDriverContract } from './driver-contract.js';

describeDriverContract('local', {
  partSize: 256 * 1024,
  create: async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cvb-storage-'));
    return {
      driver: new LocalDriver({ kind: 'local', root }),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
  missingBucket: () =>
    new LocalDriver({ kind: 'local', root: path.join(tmpdir(), 'cvb-storage-missing', 'nope') }),
});
