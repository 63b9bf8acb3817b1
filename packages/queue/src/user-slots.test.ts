import { deleteRedisKeys, testServices, uniqueName } from '@cvat-backup/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserSlots } from './user-slots.js';

describe('UserSlots on real Redis', () => {
  const prefix = uniqueName('slots');
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testServices().redisUrl);
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteRedisKeys(prefix);
  });

  it('lets at most `limit` jobs of one user hold a slot, others users apart', async () => {
    const slots = new UserSlots(redis, prefix, 2);
    expect(await slots.acquire(1, 'a')).toBe(true);
    expect(await slots.acquire(1, 'b')).toBe(true);
    expect(await slots.acquire(1, 'c')).toBe(false);
    expect(await slots.acquire(2, 'c')).toBe(true);
    expect(await slots.acquire(1, 'a')).toBe(true); // renewing is not taking a second slot
    await slots.release(1, 'a');
    expect(await slots.acquire(1, 'c')).toBe(true);
  });

  it('frees the slot of a holder that stopped renewing once its lease runs out', async () => {
    const slots = new UserSlots(redis, prefix, 1, 200);
    expect(await slots.acquire(3, 'dead')).toBe(true);
    expect(await slots.acquire(3, 'next')).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect(await slots.acquire(3, 'next')).toBe(true);
  });

  it('runs work holding a slot and releases it after, even when the work fails', async () => {
    const slots = new UserSlots(redis, prefix, 1);
    const busy = async (): Promise<never> => {
      throw new Error('busy');
    };
    await expect(slots.run(4, 'x', async () => Promise.reject(new Error('boom')), busy)).rejects.toThrow(
      'boom',
    );
    expect(await slots.run(4, 'y', async () => 'ran', busy)).toBe('ran');
    let inner: Promise<unknown> = Promise.resolve();
    const outer = slots.run(
      4,
      'z',
      async () => {
        inner = slots.run(4, 'w', async () => 'never', busy);
        await expect(inner).rejects.toThrow('busy');
        return 'outer';
      },
      busy,
    );
    expect(await outer).toBe('outer');
  });
});
