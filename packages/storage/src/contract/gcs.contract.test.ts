import { createGcsBucket, testServices } from '@cvat-backup/testkit';
import { GcsDriver } from '../gcs/gcs.driver.js';
import { describeDriverContract } from './driver-contract.js';

// The emulator has no bucket that does not exist (any name springs into being) and accepts any
// token, so the missing-bucket and bad-credential cases are covered by gcs-errors.test.ts instead.
describeDriverContract('gcs', {
  partSize: 4 * 1024 * 1024,
  create: async () => {
    const bucket = await createGcsBucket();
    const driver = new GcsDriver({
      kind: 'gcs',
      bucket: bucket.name,
      apiEndpoint: testServices().gcs.endpoint,
      projectId: testServices().gcs.projectId,
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
    });
    return { driver, cleanup: bucket.remove };
  },
});
