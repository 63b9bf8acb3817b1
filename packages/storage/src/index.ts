export { type LocalConfig, LocalDriver } from './local/local.driver.js';
export { openRandomAccess, type RandomAccess } from './random-access.js';
export type {
  AtomicWrite,
  ByteRange,
  CommitResult,
  ListEntry,
  ListOptions,
  ObjectInfo,
  StorageDriver,
  WriteOptions,
} from './storage-driver.js';
