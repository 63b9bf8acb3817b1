/**
 * The authorization matrix, generated from the app's own route table so a new route cannot be left
 * out: every non-public route answers 401 without credentials, every route on one resource answers
 * 404 to another (non-admin) user and changes nothing, and every collection hides other users'
 * resources. Runs against `app.inject` (apps/api) and over real HTTP (test/e2e/catalog).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Bucket, s3Client, type TestBucket, testServices } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../src/app.js';
import type { ResourceKind } from '../src/auth/auth.hook.js';
import { png } from './test-images.js';

export interface MatrixRequest {
  method: string;
  url: string;
  query?: Record<string, string>;
  payload?: unknown;
  token?: string;
}

export interface MatrixResponse {
  status: number;
  body: string;
}

/** What the matrix runs against: the route table and a way to send requests. */
export interface MatrixTarget {
  routes: RouteEntry[];
  send(request: MatrixRequest): Promise<MatrixResponse>;
  close(): Promise<void>;
}

const EMPTY = { version: 0, tags: [], shapes: [], tracks: [] };

/** Valid requests per route beyond its path, so a 404 comes from ownership, not from validation. */
const REQUEST_EXTRAS: Record<string, Partial<MatrixRequest>> = {
  'GET /api/tasks/:id/data': { query: { type: 'frame', number: '0', quality: 'original' } },
  'GET /api/jobs/:id/data': { query: { type: 'frame', number: '0', quality: 'original' } },
  'PATCH /api/tasks/:id/annotations': { query: { action: 'create' }, payload: EMPTY },
  'PATCH /api/jobs/:id/annotations': { query: { action: 'create' }, payload: EMPTY },
  'PUT /api/tasks/:id/annotations': { payload: EMPTY },
  'PUT /api/jobs/:id/annotations': { payload: EMPTY },
  'POST /api/tasks/:id/data': {
    payload: { image_quality: 70, server_files: ['a.png'], cloud_storage_id: 1 },
  },
  'PATCH /api/tasks/:id/data/meta': { payload: { deleted_frames: [] } },
};

/** Collections and the resource kind they list (a new collection must be added here). */
const COLLECTIONS: Record<string, ResourceKind> = {
  '/api/projects': 'project',
  '/api/tasks': 'task',
  '/api/jobs': 'job',
  '/api/labels': 'label',
  '/api/cloudstorages': 'cloudstorage',
  '/api/users': 'user',
  '/api/webhooks': 'webhook',
};

/**
 * Backup requests (`/api/requests[/{rq_id}]`) are not resources with a numeric :id: the list holds
 * only the caller's own and another user's request is 403 (an unknown id 404); apps/api/src/backup
 * tests show both.
 */
const REQUESTS = '/api/requests';

/**
 * Guide assets are named by a uuid, not a numeric :id, and no route creates one here (a restore or the
 * catalog does); apps/api/src/routes/guides.routes.test.ts shows another user's asset is 404.
 */
const ASSETS = '/api/assets/:uuid';

const PATHS: Record<ResourceKind, string> = {
  project: 'projects',
  task: 'tasks',
  job: 'jobs',
  label: 'labels',
  cloudstorage: 'cloudstorages',
  user: 'users',
  webhook: 'webhooks',
  guide: 'guides',
};

let seq = 0;

export function authorizationMatrix(open: () => Promise<MatrixTarget>): void {
  describe('authorization matrix over every route', () => {
    let target: MatrixTarget;
    let routes: RouteEntry[];
    let bucket: TestBucket;
    const ids = {} as Record<ResourceKind, number>;
    const tokens = { alice: '', bob: '' };

    const json = async (request: MatrixRequest, status: number) => {
      const res = await target.send(request);
      expect(res.status, `${request.method} ${request.url}: ${res.body}`).toBe(status);
      return JSON.parse(res.body);
    };

    const register = async () => {
      const username = `matrix${process.pid}x${++seq}${Date.now().toString(36)}`;
      const body = await json(
        {
          method: 'POST',
          url: '/api/auth/register',
          payload: { username, password1: 'matrix-pass-1', password2: 'matrix-pass-1' },
        },
        201,
      );
      const self = await json({ method: 'GET', url: '/api/users/self', token: body.key }, 200);
      return { token: body.key as string, id: self.id as number };
    };

    beforeAll(async () => {
      target = await open();
      routes = target.routes.filter((r) => !r.public);
      const alice = await register();
      tokens.alice = alice.token;
      tokens.bob = (await register()).token;
      ids.user = alice.id;
      bucket = await createS3Bucket();
      const s3 = testServices().s3;
      const client = s3Client(s3);
      await client.send(new PutObjectCommand({ Bucket: bucket.name, Key: 'a.png', Body: png(4, 4) }));
      client.destroy();
      const post = async (url: string, payload: object) =>
        (await json({ method: 'POST', url, payload, token: tokens.alice }, 201)).id as number;
      ids.cloudstorage = await post('/api/cloudstorages', {
        provider_type: 'AWS_S3_BUCKET',
        resource: bucket.name,
        display_name: 'b',
        credentials_type: 'KEY_SECRET_KEY_PAIR',
        key: s3.accessKeyId,
        secret_key: s3.secretAccessKey,
        specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}&region=${s3.region}`,
      });
      ids.project = await post('/api/projects', { name: 'p', labels: [{ name: 'a' }] });
      ids.task = await post('/api/tasks', { name: 't', labels: [{ name: 'car' }] });
      await json(
        {
          method: 'POST',
          url: `/api/tasks/${ids.task}/data`,
          payload: { image_quality: 70, server_files: ['a.png'], cloud_storage_id: ids.cloudstorage },
          token: tokens.alice,
        },
        202,
      );
      const get = (url: string) => json({ method: 'GET', url, token: tokens.alice }, 200);
      ids.job = (await get(`/api/jobs?task_id=${ids.task}`)).results[0].id;
      ids.label = (await get(`/api/labels?task_id=${ids.task}`)).results[0].id;
      ids.webhook = await post('/api/webhooks', {
        target_url: 'http://127.0.0.1:9/hook',
        type: 'user',
        events: ['backup:finished'],
      });
      ids.guide = await post('/api/guides', { task_id: ids.task, markdown: '# Rules' });
    });

    afterAll(async () => {
      await target?.close();
      await bucket?.remove();
    });

    const request = (route: RouteEntry, token?: string): MatrixRequest => {
      const extras = REQUEST_EXTRAS[`${route.method} ${route.url}`] ?? {};
      const url = route.resource ? route.url.replace(':id', String(ids[route.resource])) : route.url;
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {};
      return { method: route.method, url, ...body, ...extras, ...(token ? { token } : {}) };
    };

    it('knows the resource of every route with an :id and every collection', () => {
      expect(routes.length).toBeGreaterThan(30);
      for (const route of routes) {
        const name = `${route.method} ${route.url}`;
        if (route.url.includes(':id')) expect(route.resource, name).toBeDefined();
        else if (
          route.method === 'GET' &&
          route.url !== '/api/users/self' &&
          !route.url.startsWith(REQUESTS) &&
          route.url !== ASSETS
        )
          expect(COLLECTIONS[route.url], name).toBeDefined();
      }
    });

    it('answers 401 without credentials on every non-public route', async () => {
      for (const route of routes) {
        const body = await json(request(route), 401);
        expect(body.detail, `${route.method} ${route.url}`).toBe(
          'Authentication credentials were not provided.',
        );
      }
    });

    it('answers 404 to another user on every route of one resource, and changes nothing', async () => {
      const withId = routes.filter((r) => r.resource);
      // Deletions last, so every other route still finds the resources it is refused.
      const ordered = [
        ...withId.filter((r) => r.method !== 'DELETE'),
        ...withId.filter((r) => r.method === 'DELETE'),
      ];
      for (const route of ordered) await json(request(route, tokens.bob), 404);
      for (const kind of Object.keys(PATHS) as ResourceKind[])
        await json({ method: 'GET', url: `/api/${PATHS[kind]}/${ids[kind]}`, token: tokens.alice }, 200);
      const frame = await target.send({
        method: 'GET',
        url: `/api/tasks/${ids.task}/data`,
        query: { type: 'frame', number: '0', quality: 'original' },
        token: tokens.alice,
      });
      expect(frame.status).toBe(200);
    });

    it('hides other users’ resources from every collection', async () => {
      for (const [url, kind] of Object.entries(COLLECTIONS)) {
        const mine = await json(
          { method: 'GET', url, query: { page_size: 'all' }, token: tokens.alice },
          200,
        );
        expect(
          mine.results.map((r: { id: number }) => r.id),
          url,
        ).toContain(ids[kind]);
        const theirs = await json(
          { method: 'GET', url, query: { page_size: 'all' }, token: tokens.bob },
          200,
        );
        expect(
          theirs.results.map((r: { id: number }) => r.id),
          url,
        ).not.toContain(ids[kind]);
      }
    });
  });
}
