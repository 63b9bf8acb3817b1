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
  // The pinned AWS SDK works on Node 20; its notice about future releases is noise in every test run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const attempts = [provideRedis(), providePostgres(), provideS3(), provideAzurite(), provideGcs()] as const;
  const results = await Promise.allSettled(attempts);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value as Provided<unknown>] : []));
  const teardown = async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  const failures = results.flatMap((r) =>
    r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : [],
  );
  if (failures.length > 0) {
    await teardown();
    throw new Error(failures.join('\n'));
  }
  // All settled and none rejected: awaiting again only unwraps the values.
  const [redis, postgres, s3, azure, gcs] = await Promise.all(attempts);
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
