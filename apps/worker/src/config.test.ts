import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './config.js';

const required = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://127.0.0.1/x',
  SECRET_KEY: 'a'.repeat(32),
};

describe('worker config: ORPHAN_GRACE_SECONDS', () => {
  it('defaults to a day and takes an hour or more', () => {
    expect(loadWorkerConfig(required).ORPHAN_GRACE_SECONDS).toBe(86_400);
    expect(loadWorkerConfig({ ...required, ORPHAN_GRACE_SECONDS: '3600' }).ORPHAN_GRACE_SECONDS).toBe(3600);
  });

  it('refuses less than an hour, naming the variable (the sweep would race a file still being written)', () => {
    expect(() => loadWorkerConfig({ ...required, ORPHAN_GRACE_SECONDS: '600' })).toThrow(
      /ORPHAN_GRACE_SECONDS: expected at least 3600/,
    );
  });
});
