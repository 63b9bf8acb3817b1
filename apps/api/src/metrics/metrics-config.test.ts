import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../config.js';

const base = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://u@127.0.0.1/db',
  SECRET_KEY: 'a-long-enough-secret',
};

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
