export { benchServices } from './bench-services.js';
export { type ChildService, startChildService } from './child-service.js';
export { type Fault, type FaultProxy, startFaultProxy } from './fault-proxy.js';
export { freePort, isListening } from './free-port.js';
export * from './isolation.js';
export { type AzureInfo, azureAnswers } from './services/azurite.service.js';
export { findExecutable, postgresBinDir } from './services/executables.js';
export { type GcsInfo, gcsAnswers } from './services/gcs.service.js';
export {
  ensureDatabase,
  type PostgresInfo,
  postgresAnswers,
  startPostgresCluster,
} from './services/postgres.service.js';
export { type RedisInfo, redisAnswers, startRedisServer } from './services/redis.service.js';
export { type S3Info, s3Answers, s3Client } from './services/s3.service.js';
export { type Answer, type Received, type Receiver, startReceiver } from './webhook-receiver.js';
