import { deriveCredentialsKey } from '@cvat-backup/catalog';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './config.js';

const base = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://u@127.0.0.1/db',
  SECRET_KEY: 'a-long-enough-secret',
};

describe('API configuration', () => {
  it('reads the catalog settings with their defaults', () => {
    const config = loadApiConfig({
      ...base,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'pw',
      MAX_UPLOAD_BYTES: '5MiB',
    });
    expect(config).toMatchObject({
      ADMIN_USERNAME: 'admin',
      REGISTRATION_ENABLED: true,
      MAX_UPLOAD_BYTES: 5 * 1024 * 1024,
      MAX_ANNOTATION_BYTES: 4 * 1024 ** 3,
    });
    expect(loadApiConfig({ ...base, REGISTRATION_ENABLED: 'off' }).REGISTRATION_ENABLED).toBe(false);
    // Django's SESSION_COOKIE_AGE default, which CVAT keeps.
    expect(loadApiConfig(base).SESSION_COOKIE_AGE_SECONDS).toBe(1_209_600);
    expect(loadApiConfig({ ...base, SESSION_COOKIE_AGE_SECONDS: '3600' }).SESSION_COOKIE_AGE_SECONDS).toBe(
      3600,
    );
    expect(() => loadApiConfig({ ...base, SESSION_COOKIE_AGE_SECONDS: '0' })).toThrow(
      /SESSION_COOKIE_AGE_SECONDS/,
    );
  });

  it('requires SECRET_KEY and never echoes it', () => {
    expect(() => loadApiConfig({ ...base, SECRET_KEY: undefined })).toThrow(/SECRET_KEY.*not set/);
    let message = '';
    try {
      loadApiConfig({ ...base, SECRET_KEY: 'short-secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('SECRET_KEY');
    expect(message).not.toContain('short-secret');
    expect(() => loadApiConfig({ ...base, MAX_UPLOAD_BYTES: 'lots' })).toThrow(/MAX_UPLOAD_BYTES/);
  });

  it('derives a stable 32-byte credential key from SECRET_KEY (the catalog’s derivation, shared with workers)', () => {
    const key = deriveCredentialsKey('a-long-enough-secret');
    expect(key).toHaveLength(32);
    expect(deriveCredentialsKey('a-long-enough-secret').equals(key)).toBe(true);
    expect(deriveCredentialsKey('another-secret-value').equals(key)).toBe(false);
  });
});

describe('operating settings', () => {
  it('leave /metrics open and the dashboard read-only unless told otherwise', () => {
    const config = loadApiConfig(base);
    expect(config.METRICS_TOKEN).toBeUndefined();
    expect(config.QUEUE_DASHBOARD_READ_ONLY).toBe(true);
    expect(loadApiConfig({ ...base, QUEUE_DASHBOARD_READ_ONLY: 'false' }).QUEUE_DASHBOARD_READ_ONLY).toBe(
      false,
    );
  });

  it('refuse a short METRICS_TOKEN without echoing it', () => {
    let message = '';
    try {
      loadApiConfig({ ...base, METRICS_TOKEN: 'short-tok' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/METRICS_TOKEN: expected at least 16 characters/);
    expect(message).not.toContain('short-tok');
    expect(loadApiConfig({ ...base, METRICS_TOKEN: 'x'.repeat(16) }).METRICS_TOKEN).toBe('x'.repeat(16));
  });
});
