import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startChildService } from '../child-service.js';
import { freePort } from '../free-port.js';
import { tryContainer } from './containers.js';
import { findExecutable } from './executables.js';
import { firstAvailable, nothingToStop, type Provided } from './provided.js';

export interface RedisInfo {
  url: string;
}

/** True when a Redis server answers PING at the URL. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Starts `redis-server` as a child on a free port, keeping its files in `dir` (a temp dir by default). */
export async function startRedisServer(options: { dir?: string; port?: number; persist?: boolean } = {}) {
  const bin = findExecutable('redis-server', ['/usr/bin', '/usr/local/bin', '/usr/sbin']);
  if (!bin) throw new Error('redis-server is not installed (Debian package redis-server)');
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'cvb-redis-')));
  const port = options.port ?? (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  // BullMQ needs noeviction; AOF only when the data should outlive the process (pnpm start).
  const persistence = options.persist ? ['--appendonly', 'yes'] : ['--save', '', '--appendonly', 'no'];
  const child = await startChildService(
    'redis',
    bin,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
      ...persistence,
    ],
    { ready: () => redisAnswers(url), ...(options.dir ? {} : { removeAfterStop: dir }) },
  );
  return { url, dir, child };
}

export function provideRedis(): Promise<Provided<RedisInfo>> {
  return firstAvailable<RedisInfo>('Redis', [
    [
      'TEST_REDIS_URL',
      async () => {
        const url = process.env.TEST_REDIS_URL;
        if (!url) return undefined;
        if (!(await redisAnswers(url))) throw new Error(`set to ${url}, but no Redis answers there`);
        return { info: { url }, provenance: 'environment', stop: nothingToStop };
      },
    ],
    [
      '127.0.0.1:6379',
      async () =>
        (await redisAnswers('redis://127.0.0.1:6379'))
          ? { info: { url: 'redis://127.0.0.1:6379' }, provenance: 'already-running', stop: nothingToStop }
          : undefined,
    ],
    [
      'redis-server child process',
      async () => {
        const { url, child } = await startRedisServer();
        return { info: { url }, provenance: 'child-process', stop: child.stop };
      },
    ],
    [
      'testcontainers',
      () =>
        tryContainer('redis:7', 6379, [], async (host, port) => ({
          url: `redis://${host}:${port}`,
        })),
    ],
  ]);
}
