import type { Redis } from 'ioredis';

/** Atomically: drop expired leases, renew ours, or take a free slot. 1 = held, 0 = all busy. */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local expires = tonumber(ARGV[1]) + tonumber(ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
  redis.call('ZADD', KEYS[1], expires, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], expires, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/**
 * At most `limit` jobs per user run at once, across every worker process. A slot is a lease in a Redis
 * sorted set, renewed while the job runs: a worker that dies stops renewing, and its slot frees itself
 * when the lease runs out.
 */
export class UserSlots {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly leaseMs = 30_000,
  ) {}

  private key(userId: number): string {
    return `${this.prefix}:cvb:user-slots:${userId}`;
  }

  async acquire(userId: number, jobId: string): Promise<boolean> {
    const held = await this.redis.eval(
      ACQUIRE,
      1,
      this.key(userId),
      Date.now(),
      this.leaseMs,
      this.limit,
      jobId,
    );
    return held === 1;
  }

  async release(userId: number, jobId: string): Promise<void> {
    await this.redis.zrem(this.key(userId), jobId);
  }

  /**
   * Runs `work` holding a slot, renewing it meanwhile; `busy()` is called instead when the user has
   * none free (the caller postpones the job).
   */
  async run<T>(
    userId: number,
    jobId: string,
    work: () => Promise<T>,
    busy: () => Promise<never>,
  ): Promise<T> {
    if (!(await this.acquire(userId, jobId))) return busy();
    const renew = setInterval(
      () => void this.acquire(userId, jobId).catch(() => {}),
      Math.max(1000, this.leaseMs / 3),
    );
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.release(userId, jobId).catch(() => {});
    }
  }
}
