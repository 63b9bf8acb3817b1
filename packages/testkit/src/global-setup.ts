/**
 * Vitest global setup: makes Redis, PostgreSQL, an S3 server, Azurite and a GCS emulator available to
 * every suite, and publishes where they are through TEST_* environment variables (inherited by the
 * test workers and by any process a test spawns). Each service comes from the environment, else a
 * server already on its usual port, else a child process we start, else a container. If one cannot be
 * had, the run fails here, naming it: no suite silently skips.
 */
import { provideAzurite } from './services/azurite.service.js';
import { provideGcs } from './services/gcs.service.js';
import { providePostgres } from './services/postgres.service.js';
import type { Provided } from './services/provided.js';
import { provideRedis } from './services/redis.service.js';
import { provideS3 } from './services/s3.service.js';

export default async function setup(): Promise<() => Promise<void>> {
  const started: Array<Provided<unknown>> = [];
  const results = await Promise.allSettled([
    provideRedis(),
    providePostgres(),
    provideS3(),
    provideAzurite(),
    provideGcs(),
  ]);
  for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
  const teardown = async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    await teardown();
    throw new Error(
      failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n'),
    );
  }
  const [redis, postgres, s3, azure, gcs] = results.map(
    (r) => (r as PromiseFulfilledResult<Provided<never>>).value,
  ) as [
    Awaited<ReturnType<typeof provideRedis>>,
    Awaited<ReturnType<typeof providePostgres>>,
    Awaited<ReturnType<typeof provideS3>>,
    Awaited<ReturnType<typeof provideAzurite>>,
    Awaited<ReturnType<typeof provideGcs>>,
  ];
  Object.assign(process.env, {
    TEST_REDIS_URL: redis.info.url,
    TEST_DATABASE_URL: postgres.info.adminUrl,
    TEST_S3_ENDPOINT: s3.info.endpoint,
    TEST_S3_REGION: s3.info.region,
    TEST_S3_ACCESS_KEY_ID: s3.info.accessKeyId,
    TEST_S3_SECRET_ACCESS_KEY: s3.info.secretAccessKey,
    TEST_AZURE_CONNECTION_STRING: azure.info.connectionString,
    TEST_GCS_ENDPOINT: gcs.info.endpoint,
  });
  if (process.env.TESTKIT_VERBOSE) {
    for (const [name, p] of Object.entries({ redis, postgres, s3, azure, gcs }))
      console.log(`testkit: ${name} from ${p.provenance}`);
  }
  return teardown;
}
