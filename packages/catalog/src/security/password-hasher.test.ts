import { describe, expect, it } from 'vitest';
import { apiKeyHash, newApiKey } from './api-token.js';
import { hashPassword, verifyPassword } from './password-hasher.js';

describe('password hashing (scrypt)', () => {
  it('verifies the right password only, with a random salt per hash', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('never matches a malformed stored hash', async () => {
    expect(await verifyPassword('x', 'plain-text-password')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$abc$8$1$c2FsdA==$aGFzaA==')).toBe(false);
    expect(await verifyPassword('x', 'md5$1$2$3$c2FsdA==$aGFzaA==')).toBe(false);
  });
});

describe('API keys', () => {
  it('are 40 hex characters like CVAT keys and hash deterministically', () => {
    const key = newApiKey();
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect(newApiKey()).not.toBe(key);
    expect(apiKeyHash(key).equals(apiKeyHash(key))).toBe(true);
    expect(apiKeyHash(key).toString('hex')).not.toContain(key);
  });
});
