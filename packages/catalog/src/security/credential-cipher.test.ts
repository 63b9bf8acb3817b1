import { randomBytes } from 'node:crypto';
import { isAppError } from '@cvat-backup/common';
import { describe, expect, it } from 'vitest';
import { CredentialCipher } from './credential-cipher.js';

const secret = JSON.stringify({ key: 'AKIA-TEST', secret_key: 's3cr3t/with+chars' });

describe('CredentialCipher', () => {
  it('round-trips a secret and never stores it in clear', () => {
    const cipher = new CredentialCipher(randomBytes(32));
    const envelope = cipher.encrypt(secret, 7);
    expect(envelope.includes(Buffer.from('s3cr3t'))).toBe(false);
    expect(cipher.decrypt(envelope, 7)).toBe(secret);
  });

  it('uses a fresh IV each time, so equal secrets give different ciphertexts', () => {
    const cipher = new CredentialCipher(randomBytes(32));
    expect(cipher.encrypt(secret, 1).equals(cipher.encrypt(secret, 1))).toBe(false);
  });

  it.each([
    ['a flipped ciphertext byte', (e: Buffer) => e.length - 1],
    ['a flipped tag byte', () => 1 + 12 + 3],
    ['a flipped IV byte', () => 2],
  ])('detects %s', (_what, position) => {
    const cipher = new CredentialCipher(randomBytes(32));
    const envelope = cipher.encrypt(secret, 3);
    const tampered = Buffer.from(envelope);
    const at = position(tampered);
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    const err = (() => {
      try {
        return cipher.decrypt(tampered, 3);
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(err, 'CATALOG_CREDENTIALS_UNREADABLE')).toBe(true);
    expect((err as Error).message).not.toContain('s3cr3t');
  });

  it('refuses a ciphertext moved to another cloud storage, a truncated one and another key', () => {
    const key = randomBytes(32);
    const envelope = new CredentialCipher(key).encrypt(secret, 3);
    expect(() => new CredentialCipher(key).decrypt(envelope, 4)).toThrow(/cloud storage 4/);
    expect(() => new CredentialCipher(key).decrypt(envelope.subarray(0, 20), 3)).toThrow(
      /cannot be decrypted/,
    );
    expect(() => new CredentialCipher(randomBytes(32)).decrypt(envelope, 3)).toThrow(/cannot be decrypted/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new CredentialCipher(randomBytes(16))).toThrow(/32 bytes, got 16/);
  });
});
