import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDriver } from '@cvat-backup/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from './sweep-expired.js';

describe('sweepExpired', () => {
  let root: string;
  let driver: LocalDriver;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cvb-sweep-'));
    driver = new LocalDriver({ kind: 'local', root });
    await mkdir(path.join(root, 'task-1'), { recursive: true });
    for (const [name, ageHours] of [
      ['task-1/old.zip', 30],
      ['task-1/new.zip', 1],
      ['other/old.zip', 30],
      ['schedules/3/run-9/old.zip', 30],
    ] as const) {
      await mkdir(path.dirname(path.join(root, name)), { recursive: true });
      await writeFile(path.join(root, name), 'x');
      const when = new Date(Date.now() - ageHours * 3600_000);
      await utimes(path.join(root, name), when, when);
    }
  });
  afterAll(async () => {
    await driver.close();
    await rm(root, { recursive: true, force: true });
  });

  it('deletes what is older than the bound under the prefix, and nothing else', async () => {
    expect(await sweepExpired(driver, 'task-1/', 24 * 3600_000)).toBe(1);
    expect(await driver.head('task-1/old.zip')).toBeUndefined();
    expect(await driver.head('task-1/new.zip')).toBeDefined();
    expect(await driver.head('other/old.zip')).toBeDefined();
    expect(await sweepExpired(driver, '', 24 * 3600_000)).toBe(1);
    expect(await driver.head('other/old.zip')).toBeUndefined();
    // Scheduled archives are governed by their schedule's retention, not by the result TTL.
    expect(await driver.head('schedules/3/run-9/old.zip')).toBeDefined();
  });
});
