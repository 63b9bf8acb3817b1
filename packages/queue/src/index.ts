export { QUEUE_NAMES, type QueueName } from './queue-names.js';
