export { BackupProducer, type Enqueued, type ProducerOptions } from './backup-producer.js';
export { createCodedWorker, failureCode, failureText } from './coded-worker.js';
export * from './job-metrics.js';
export * from './job-payloads.js';
export { QUEUE_NAMES, type QueueName } from './queue-names.js';
export * from './request-id.js';
export * from './request-view.js';
export { UserSlots } from './user-slots.js';
export * from './webhook-events.js';
