import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../../test/api-fixture.js';
import { CVAT_COMPATIBLE_VERSION } from './server.routes.js';

describe('GET /api/server/about', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await openTestApi();
  });
  afterAll(async () => api?.close());

  it('answers without credentials, in the shape of CVAT’s AboutSerializer', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/server/about' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['description', 'name', 'subtitle', 'version']);
    expect(body.name).toBe('Computer Vision Annotation Tool');
    expect(body.version).toBe(CVAT_COMPATIBLE_VERSION);
    // cvat-sdk parses it with packaging.version and compares major.minor: plain X.Y.Z.
    expect(body.version).toMatch(/^2\.\d+\.\d+$/);
    expect(body.description.length).toBeLessThanOrEqual(2048);
  });

  it('answers the same with a trailing slash (CVAT’s URL) and with credentials', async () => {
    const u = await api.user();
    const slash = await api.app.inject({ method: 'GET', url: '/api/server/about/' });
    const authed = await u.call({ method: 'GET', url: '/api/server/about' });
    expect([slash.statusCode, authed.statusCode]).toEqual([200, 200]);
    expect(authed.json()).toEqual(slash.json());
  });
});
