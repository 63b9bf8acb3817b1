import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@cvat-backup/common';
import { freePort } from '@cvat-backup/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../../test/api-fixture.js';
import { buildApp } from '../app.js';
import { type BackupServices, openBackupServices } from './backup-services.js';

describe('backup services', () => {
  let api: TestApi;
  let dead: BackupServices;
  let dataRoot: string;

  beforeAll(async () => {
    api = await openTestApi();
    dataRoot = await mkdtemp(path.join(tmpdir(), 'cvb-dead-'));
    dead = await openBackupServices({
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      queuePrefix: 'dead',
      dataRoot,
      resultTtlSeconds: 60,
      failureTtlSeconds: 60,
      uploadLimitBytes: 1024,
    });
  });
  afterAll(async () => {
    await dead?.close();
    await api?.close();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  it('is available once connected to a running Redis', () => {
    expect(api.services.backup!.queuesAvailable()).toBe(true);
  });

  it('answers 503 at once, without queueing or hanging, while Redis cannot be reached', async () => {
    expect(dead.queuesAvailable()).toBe(false);
    const app = await buildApp({
      logger: createLogger({ level: 'silent' }),
      checks: {},
      api: { ...api.services, backup: dead },
    });
    try {
      const user = await api.user();
      const res = await app.inject({
        method: 'POST',
        url: '/api/tasks/1/backup/export',
        headers: { authorization: `Token ${user.token}` },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
      expect(res.json().detail).toMatch(/^Redis service is not available: /);
    } finally {
      await app.close();
    }
  });
});
