/**
 * Drift test: the committed `apps/api/openapi.json` must equal the document the routes generate. After
 * changing routes, regenerate it with `pnpm --filter @cvat-backup/api openapi` and commit the diff.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../../test/api-fixture.js';

const committed = fileURLToPath(new URL('../../openapi.json', import.meta.url));

describe('OpenAPI document', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await openTestApi({ schedules: true });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is served at /api/schema without a token, with the docs page at /docs', async () => {
    const schema = await api.app.inject({ method: 'GET', url: '/api/schema' });
    expect(schema.statusCode).toBe(200);
    expect(schema.json()).toMatchObject({ openapi: '3.0.3', info: { title: 'cvat-backup' } });
    const docs = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });

  it('describes every /api route the app has', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/api/schema' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const missing = api.app.routeTable
      .filter((r) => r.url.startsWith('/api/') && r.url !== '/api/schema')
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/'}`)
      .filter((route) => !documented.has(route) && !documented.has(`${route}/`));
    expect(missing).toEqual([]);
  });

  it('matches the committed apps/api/openapi.json', async () => {
    const generated = `${JSON.stringify((await api.app.inject({ method: 'GET', url: '/api/schema' })).json(), null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') await writeFile(committed, generated);
    const onDisk = await readFile(committed, 'utf8').catch(() => '');
    expect(
      onDisk,
      'routes changed: run `pnpm --filter @cvat-backup/api openapi` and commit apps/api/openapi.json',
    ).toBe(generated);
  });
});
