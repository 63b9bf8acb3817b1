import type { Catalog } from '@cvat-backup/catalog';
import { AppError, isAppError, type Logger } from '@cvat-backup/common';
import { createCodedWorker, QUEUE_NAMES } from '@cvat-backup/queue';
import { type Job, Queue, type Worker, type WorkerOptions } from 'bullmq';
import { deliveryMetrics, type JobMetricsOptions } from '../metrics/job-metrics.js';
import { deliveryHandler } from './delivery.handler.js';
import { retryDelay } from './delivery-policy.js';
import { eventHandler } from './event.handler.js';
import { publishingOutcomes, watchFailures } from './request-outcomes.js';
import type { WebhookConfig } from './webhook-config.js';

export interface WebhookWorkerOptions {
  catalog: Catalog;
  config: WebhookConfig & { RESULT_TTL_SECONDS: number };
  logger: Logger;
  /** Connection, prefix, lock and stall settings shared with the other workers. */
  common: Pick<WorkerOptions, 'connection' | 'prefix' | 'lockDuration' | 'stalledInterval'>;
  /** Where delivery attempts are counted (the job metrics' Redis and prefix). */
  metrics: Omit<JobMetricsOptions, 'logger'>;
}

export interface WebhookWorker {
  worker: Worker;
  /** The webhook queue: request outcomes are published on it (`publishWebhookEvent`). */
  queue: Queue;
  /** Wraps an export or import handler so that its final outcome becomes a webhook event. */
  outcomes: <K extends 'export' | 'import', R>(
    kind: K,
    handler: Parameters<typeof publishingOutcomes<K, R>>[2],
  ) => ReturnType<typeof publishingOutcomes<K, R>>;
  /** Also tells final failures the handler did not (stalled too often): call once per request worker. */
  watchFailures(worker: Worker, kind: 'export' | 'import'): void;
  close(): Promise<void>;
}

const SWEEP_EVERY_MS = 3600_000;

/** The Retry-After a receiver sent, carried by the coded error the delivery handler threw. */
function retryAfterOf(err: Error | undefined): number | null {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const value = isAppError(cause) ? cause.details.retryAfterMs : undefined;
  return typeof value === 'number' ? value : null;
}

/**
 * The worker of `cvb-webhook`: `event` jobs fan out to deliveries, `delivery` jobs POST them, and an
 * hourly `sweep` keeps the delivery log within its maximum age (the per-webhook count is kept on insert).
 */
export async function startWebhookWorker(options: WebhookWorkerOptions): Promise<WebhookWorker> {
  const { catalog, config, common } = options;
  const queue = new Queue(QUEUE_NAMES.webhook, { connection: common.connection, prefix: common.prefix });
  const handlers: Record<string, (job: Job) => Promise<unknown>> = {
    event: eventHandler({ webhooks: catalog.webhooks, queue, keepDeliveries: config.WEBHOOK_DELIVERY_KEEP }),
    delivery: deliveryHandler({
      webhooks: catalog.webhooks,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      blockPrivate: config.WEBHOOK_BLOCK_PRIVATE_ADDRESSES,
      observe: deliveryMetrics({ ...options.metrics, logger: options.logger }),
    }),
    sweep: async () => ({
      removed: await catalog.webhooks.sweepDeliveries(config.WEBHOOK_DELIVERY_MAX_AGE_DAYS * 24 * 3600_000),
    }),
  };
  const worker = createCodedWorker(
    QUEUE_NAMES.webhook,
    async (job: Job) => {
      const handler = handlers[job.name];
      if (!handler)
        throw new AppError('VALIDATION_FAILED', { problems: `unknown webhook job "${job.name}"` });
      return handler(job);
    },
    {
      ...common,
      concurrency: config.WEBHOOK_CONCURRENCY,
      settings: {
        backoffStrategy: (attemptsMade, _type, err) =>
          retryDelay(
            attemptsMade,
            { baseMs: config.WEBHOOK_BACKOFF_MS, maxMs: config.WEBHOOK_BACKOFF_MAX_MS },
            retryAfterOf(err),
          ),
      },
    },
  );
  // An upsert: every worker declares the same scheduler and Redis keeps one.
  await queue.upsertJobScheduler(
    'webhook-delivery-sweep',
    { every: SWEEP_EVERY_MS },
    { name: 'sweep', opts: { removeOnComplete: 10, removeOnFail: 10 } },
  );
  const outcomeDeps = {
    queue,
    users: catalog.users,
    publicUrl: config.PUBLIC_URL,
    resultTtlSeconds: config.RESULT_TTL_SECONDS,
    failureTtlSeconds: config.FAILURE_TTL_SECONDS,
    logger: options.logger,
  };
  worker.on('failed', (job, err) =>
    options.logger.warn({ queue: 'webhook', jobId: job?.id, attempts: job?.attemptsMade, err }, 'job failed'),
  );
  worker.on('error', (err) => options.logger.error({ queue: 'webhook', err }, 'worker error'));
  return {
    worker,
    queue,
    outcomes: (kind, handler) => publishingOutcomes(kind, outcomeDeps, handler),
    watchFailures: (target, kind) => watchFailures(target, kind, outcomeDeps),
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}
