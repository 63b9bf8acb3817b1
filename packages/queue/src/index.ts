export { BackupProducer, type Enqueued, type ProducerOptions } from './backup-producer.js';
export {
  classifyFailure,
  createCodedWorker,
  failureCode,
  failureMessage,
  failureText,
} from './coded-worker.js';
export * from './job-metrics.js';
export * from './job-payloads.js';
export { type JobSnapshot, readJobSnapshot } from './job-snapshot.js';
export { parsePayload } from './parse-payload.js';
export { QUEUE_NAMES, type QueueName } from './queue-names.js';
export * from './request-id.js';
export {
  type IndexEntry,
  RequestIndex,
  type RequestIndexOptions,
  type RequestKind,
} from './request-index.js';
export { type RequestLogFields, requestLogFields } from './request-log-fields.js';
export * from './request-view.js';
export * from './schedule-cadence.js';
export * from './schedule-jobs.js';
export * from './schedule-run-jobs.js';
export * from './schedule-schedulers.js';
export { UserSlots } from './user-slots.js';
export * from './webhook-events.js';
