import { createHash, randomBytes } from 'node:crypto';

/** A new API key as CVAT's login returns it: 40 hex characters (160 random bits). */
export function newApiKey(): string {
  return randomBytes(20).toString('hex');
}

/**
 * What is stored for a key: its SHA-256. Keys are random, so an unsalted fast hash suffices, and it
 * lets a lookup by key use the primary-key index.
 */
export function apiKeyHash(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
