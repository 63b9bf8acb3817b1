import { createLogger } from '@cvat-backup/common';
import { startRedisServer, testServices } from '@cvat-backup/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { connectRedis, createPool } from '../connections.js';
import { postgresCheck, redisCheck } from '../health/dependency-checks.js';

describe('ops endpoints against real Redis and PostgreSQL', () => {
  let app: FastifyInstance;
  let redisServer: Awaited<ReturnType<typeof startRedisServer>>;
  let redis: ReturnType<typeof connectRedis>;
  let pool: ReturnType<typeof createPool>;

  beforeAll(async () => {
    // A Redis of this test's own, so stopping it affects nobody else.
    redisServer = await startRedisServer();
    redis = connectRedis(redisServer.url);
    redis.on('error', () => {});
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    pool = createPool(testServices().postgresAdminUrl, 2);
    app = await buildApp({
      logger: createLogger({ level: 'silent' }),
      checks: { redis: redisCheck(redis, 500), postgres: postgresCheck(pool, 1000) },
    });
  });

  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await pool?.end();
    await redisServer?.child.stop();
  });

  it('/healthz answers 200 while the process is up', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/readyz answers 200 when Redis and PostgreSQL answer', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ready',
      checks: { redis: { ok: true }, postgres: { ok: true } },
    });
  });

  it('unknown routes answer 404 in CVAT shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ detail: 'Not found.' });
  });

  it('/readyz answers 503 naming Redis once Redis is stopped, quickly', async () => {
    await redisServer.child.stop();
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.down).toEqual(['redis']);
    expect(body.detail).toMatch(/^Not ready: redis \(.+\)$/);
    expect(body.checks.postgres.ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('/readyz and the Redis eviction policy (BullMQ needs noeviction)', () => {
  let redisServer: Awaited<ReturnType<typeof startRedisServer>>;
  let redis: ReturnType<typeof connectRedis>;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    redis = connectRedis(redisServer.url);
    redis.on('error', () => {});
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisServer?.child.stop();
  });

  it('passes quietly with noeviction, warns or fails (as configured) with another policy', async () => {
    expect(await redisCheck(redis, 1000, 'fail')()).toMatchObject({ ok: true });
    expect((await redisCheck(redis, 1000, 'warn')()).warning).toBeUndefined();
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    expect(await redisCheck(redis, 1000, 'warn')()).toMatchObject({
      ok: true,
      warning: expect.stringContaining('maxmemory-policy is allkeys-lru'),
    });
    expect(await redisCheck(redis, 1000, 'fail')()).toMatchObject({
      ok: false,
      error: expect.stringContaining('BullMQ needs noeviction'),
    });
    expect(await redisCheck(redis, 1000, 'off')()).toEqual({ ok: true, latencyMs: expect.any(Number) });

    const app = await buildApp({
      logger: createLogger({ level: 'silent' }),
      checks: { redis: redisCheck(redis, 1000, 'fail') },
    });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().detail).toContain('redis (maxmemory-policy is allkeys-lru');
    await app.close();
  });
});
