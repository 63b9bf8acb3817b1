import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isAppError } from '../errors/index.js';
import { env, parseByteSize, readConfig } from './read-config.js';

const shape = {
  PORT: env.port(8080),
  REDIS_URL: env.url(['redis:', 'rediss:']).optional(),
  UPLOAD_MAX_SIZE: env.bytes('5GiB'),
  REGISTRATION_ENABLED: env.boolean(true),
  ADMIN_PASSWORD: z.string().min(8, 'expected at least 8 characters').optional(),
};

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isAppError(err, 'CONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('readConfig', () => {
  it('applies defaults and treats empty strings as unset', () => {
    const config = readConfig(shape, { PORT: '', REGISTRATION_ENABLED: 'off' });
    expect(config).toEqual({
      PORT: 8080,
      REDIS_URL: undefined,
      UPLOAD_MAX_SIZE: 5 * 2 ** 30,
      REGISTRATION_ENABLED: false,
      ADMIN_PASSWORD: undefined,
    });
  });

  it('names every bad variable, what it expects and what it got', () => {
    const message = problemsOf(() =>
      readConfig(shape, { PORT: 'eighty', REDIS_URL: 'http://x', UPLOAD_MAX_SIZE: 'lots' }),
    );
    expect(message).toContain('PORT: expected a TCP port number (got "eighty")');
    expect(message).toContain(
      'REDIS_URL: expected a URL starting with redis:// or rediss:// (got "http://x")',
    );
    expect(message).toContain(
      'UPLOAD_MAX_SIZE: expected a size like 5368709120, 512MiB or 5GiB (got "lots")',
    );
  });

  it('rejects out-of-range ports', () => {
    expect(problemsOf(() => readConfig(shape, { PORT: '70000' }))).toContain(
      'PORT: expected a port between 1 and 65535',
    );
  });

  it('never echoes the value of a secret variable', () => {
    const message = problemsOf(() => readConfig(shape, { ADMIN_PASSWORD: 'short' }));
    expect(message).toContain('ADMIN_PASSWORD: expected at least 8 characters (a value was given)');
    expect(message).not.toContain('short"');
  });
});

describe('parseByteSize', () => {
  it.each([
    ['1024', 1024],
    ['512MiB', 512 * 2 ** 20],
    ['5 GiB', 5 * 2 ** 30],
    ['10GB', 10e9],
    ['1.5KiB', 1536],
  ])('%s → %d', (text, bytes) => expect(parseByteSize(text)).toBe(bytes));

  it.each(['', 'GiB', '-1', '5 parsecs'])('refuses %j', (text) =>
    expect(parseByteSize(text)).toBeUndefined(),
  );
});
