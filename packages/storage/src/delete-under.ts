import type { StorageDriver } from './storage-driver.js';

/** Deletes every object under `prefix`, a listed page at a time (never the whole listing in memory); returns how many. */
export async function deleteUnder(driver: StorageDriver, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const page of driver.list(prefix))
    for (const entry of page) {
      await driver.delete(entry.key);
      deleted++;
    }
  return deleted;
}
