import { describe, expect, it } from 'vitest';
import { KeyScope, validateKey, validateListPrefix } from './keys.js';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return 'accepted';
};

describe('keys', () => {
  it('accepts relative keys, with dots and spaces inside names', () => {
    for (const key of ['a', 'a/b/c.zip', 'task 1/data/.hidden', 'x..y/z', 'ünïcödé/名前.jpg'])
      expect(validateKey(key)).toBe(key);
  });

  it.each([
    ['', 'it is empty'],
    ['/abs', 'absolute'],
    ['../up', '".." segment'],
    ['a/../../up', '".." segment'],
    ['a/./b', '"." segment'],
    ['a//b', 'empty segment'],
    ['dir/', 'empty segment'],
    ['a\0b', 'NUL'],
    ['a\\b', 'backslash'],
    ['k'.repeat(1025), 'longer than 1024'],
  ])('refuses %j (%s)', (key, reason) => {
    expect(() => validateKey(key)).toThrow(expect.objectContaining({ code: 'STORAGE_KEY_INVALID' }));
    expect(() => validateKey(key)).toThrow(reason);
  });

  it('never puts a raw NUL into the error details', () => {
    try {
      validateKey('a\0b');
    } catch (err) {
      expect(JSON.stringify(err)).not.toContain('\u0000');
    }
  });

  it('accepts listing prefixes that are empty, end in "/" or stop mid-name', () => {
    for (const prefix of ['', 'a/', 'a/b', 'a/b/c'])
      expect(codeOf(() => validateListPrefix(prefix))).toBe('accepted');
    for (const prefix of ['../', '/a', 'a//', 'a/../b'])
      expect(codeOf(() => validateListPrefix(prefix))).toBe('STORAGE_KEY_INVALID');
  });

  it('scopes keys under a prefix treated as a folder', () => {
    for (const prefix of ['media', 'media/', '/media/']) {
      const scope = new KeyScope(prefix);
      expect(scope.full('a.jpg')).toBe('media/a.jpg');
      expect(scope.fullPrefix('')).toBe('media/');
      expect(scope.relative('media/x/y')).toBe('x/y');
    }
    expect(new KeyScope('').full('a')).toBe('a');
    expect(new KeyScope(undefined).fullPrefix('p/')).toBe('p/');
    expect(() => new KeyScope('a/../b')).toThrow(expect.objectContaining({ code: 'STORAGE_KEY_INVALID' }));
  });

  it('validates the key before scoping, so a prefix cannot be escaped', () => {
    expect(() => new KeyScope('tenant').full('../other/secret')).toThrow(
      expect.objectContaining({ code: 'STORAGE_KEY_INVALID' }),
    );
  });
});
