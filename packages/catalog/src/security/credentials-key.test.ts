import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CredentialCipher } from './credential-cipher.js';
import { deriveCredentialsKey } from './credentials-key.js';

describe('deriveCredentialsKey', () => {
  it('derives the same 32-byte key from the same secret in every process (pinned HKDF-SHA256 vector)', () => {
    const key = deriveCredentialsKey('a-long-enough-secret');
    expect(key).toHaveLength(32);
    // Pinned: changing salt/info/hash would make every stored credential unreadable.
    expect(key.toString('hex')).toBe('96d53bbce93af02854fff20b8665ecd7b5b49c1a9c2f39882d02d2574450e858');
    expect(deriveCredentialsKey('another-secret-value').equals(key)).toBe(false);
  });

  it('gives a key the cipher accepts: what one process encrypts another can decrypt', () => {
    const secret = randomBytes(24).toString('base64');
    const envelope = new CredentialCipher(deriveCredentialsKey(secret)).encrypt('{"key":"k"}', 9);
    expect(new CredentialCipher(deriveCredentialsKey(secret)).decrypt(envelope, 9)).toBe('{"key":"k"}');
  });
});
