import { createAzureContainer, testServices, uniqueName } from '@cvat-backup/testkit';
import { type AzureConfig, AzureDriver } from '../azure/azure.driver.js';
import { describeDriverContract } from './driver-contract.js';

const MiB = 1024 * 1024;

const tuning = {
  partSize: 4 * MiB,
  queueSize: 2,
  retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
} satisfies Partial<AzureConfig>;

describeDriverContract('azure', {
  partSize: 4 * MiB,
  create: async () => {
    const container = await createAzureContainer();
    const driver = new AzureDriver({
      kind: 'azure',
      container: container.name,
      connectionString: testServices().azure.connectionString,
      ...tuning,
    });
    return { driver, cleanup: container.remove };
  },
  missingBucket: () => {
    const { azure } = testServices();
    // Account name and key, the other way to authenticate.
    return new AzureDriver({
      kind: 'azure',
      container: uniqueName('absent'),
      accountName: azure.accountName,
      accountKey: azure.accountKey,
      endpoint: azure.blobEndpoint,
      ...tuning,
    });
  },
  badCredentials: async () => {
    const { azure } = testServices();
    const container = await createAzureContainer();
    const secret = Buffer.from(`wrong-key-${uniqueName()}`).toString('base64');
    const driver = new AzureDriver({
      kind: 'azure',
      container: container.name,
      accountName: azure.accountName,
      accountKey: secret,
      endpoint: azure.blobEndpoint,
      ...tuning,
    });
    return { driver, secret, cleanup: container.remove };
  },
});
