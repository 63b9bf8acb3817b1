/** The queues this system uses; the API and outside servers enqueue to them, workers consume them. */
export const QUEUE_NAMES = {
  export: 'cvb-export',
  import: 'cvb-import',
  /** Periodic sweeps (expired archives, abandoned uploads); one scheduler for all workers. */
  maintenance: 'cvb-maintenance',
  /** Scheduled bulk backups: one job scheduler per backup schedule; each run fans out exports. */
  schedule: 'cvb-schedule',
  /** Webhook events and their deliveries (signed POSTs, retried with backoff). */
  webhook: 'cvb-webhook',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
