import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '@cvat-backup/common';

const VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/**
 * AES-256-GCM for secrets at rest (cloud-storage credentials, webhook secrets). The envelope is
 * `version | iv | tag | ciphertext`; the associated data binds it to one row (`scope` names the table,
 * the id the row), so a ciphertext copied onto another row does not decrypt. The key comes from the
 * caller (derived from an environment secret at the edge).
 */
export type CipherScope = 'cloud-storage' | 'webhook';

export class CredentialCipher {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new AppError('CATALOG_ENCRYPTION_KEY_INVALID', { length: key.length });
    this.#key = Buffer.from(key);
  }

  encrypt(plaintext: string, cloudStorageId: number, scope: CipherScope = 'cloud-storage'): Buffer {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad(scope, cloudStorageId));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  /** Throws CATALOG_CREDENTIALS_UNREADABLE when the envelope was altered or the key differs. */
  decrypt(envelope: Buffer, cloudStorageId: number, scope: CipherScope = 'cloud-storage'): string {
    const fail = (cause?: unknown) =>
      new AppError('CATALOG_CREDENTIALS_UNREADABLE', { id: cloudStorageId }, { cause });
    if (envelope.length < 1 + IV_LENGTH + TAG_LENGTH || envelope[0] !== VERSION) throw fail();
    const iv = envelope.subarray(1, 1 + IV_LENGTH);
    const tag = envelope.subarray(1 + IV_LENGTH, 1 + IV_LENGTH + TAG_LENGTH);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_LENGTH });
      decipher.setAAD(aad(scope, cloudStorageId));
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(envelope.subarray(1 + IV_LENGTH + TAG_LENGTH)),
        decipher.final(),
      ]).toString('utf8');
    } catch (err) {
      throw fail(err);
    }
  }
}

function aad(scope: CipherScope, id: number): Buffer {
  return Buffer.from(`cvat-backup/${scope}/${id}`, 'utf8');
}
