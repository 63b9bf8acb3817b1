import { createHash } from 'node:crypto';
import { AppError } from '@cvat-backup/common';
import type { ZipReader } from '../zip/zip-reader.js';
import { INTEGRITY_MANIFEST } from './archive-input.js';

export interface VerifyReport {
  entries: number;
  bytes: number;
  /** True when `checksums.sha256` was present and every hash matched. */
  checksums: boolean;
}

const LINE = /^([0-9a-f]{64}) {2}(.+)$/;
const MAX_MANIFEST_BYTES = 256 << 20;

async function readManifest(zip: ZipReader): Promise<Map<string, string> | undefined> {
  const entry = zip.get(INTEGRITY_MANIFEST);
  if (!entry) return undefined;
  const text = (await zip.readEntry(entry, MAX_MANIFEST_BYTES)).toString('utf8');
  const hashes = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = LINE.exec(line);
    if (!match)
      throw new AppError('ARCHIVE_CHECKSUM_MISMATCH', { reason: `unreadable line in ${INTEGRITY_MANIFEST}` });
    hashes.set(match[2]!, match[1]!);
  }
  return hashes;
}

/**
 * Reads every entry of an archive: CRC-32 and length are checked for all, and SHA-256 too when
 * the archive carries an integrity manifest (every entry must then be listed, and nothing more).
 */
export async function verifyArchive(zip: ZipReader): Promise<VerifyReport> {
  const hashes = await readManifest(zip);
  let bytes = 0;
  for (const entry of zip.entries) {
    const expected = hashes?.get(entry.name);
    if (hashes && entry.name !== INTEGRITY_MANIFEST && expected === undefined) {
      throw new AppError('ARCHIVE_CHECKSUM_MISMATCH', { reason: `"${entry.name}" is not listed` });
    }
    const hash = expected === undefined ? undefined : createHash('sha256');
    for await (const chunk of await zip.openEntry(entry)) {
      hash?.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    if (hash && hash.digest('hex') !== expected) {
      throw new AppError('ARCHIVE_CHECKSUM_MISMATCH', { reason: `the SHA-256 of "${entry.name}" differs` });
    }
  }
  if (hashes) {
    for (const name of hashes.keys()) {
      if (!zip.get(name))
        throw new AppError('ARCHIVE_CHECKSUM_MISMATCH', { reason: `"${name}" is listed but missing` });
    }
  }
  return { entries: zip.entries.length, bytes, checksums: hashes !== undefined };
}
