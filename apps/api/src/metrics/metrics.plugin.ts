import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@cvat-backup/common';
import { readJobMetrics } from '@cvat-backup/queue';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { OpsQueues } from '../admin/ops-queues.js';
import { installHttpMetrics } from './http-metrics.js';
import { jobMetricsText } from './job-metrics-text.js';
import { registerQueueMetrics } from './queue-metrics.js';
import { scrapeCache } from './scrape-cache.js';

export interface MetricsOptions {
  /** The queues to count and the Redis the workers' job metrics are in; without them, HTTP and process metrics only. */
  ops?: OpsQueues;
  /** When set, `/metrics` requires `Authorization: Bearer <token>`; open otherwise (as scrapers expect). */
  token?: string;
}

let processRegistry: Registry | undefined;

/**
 * Process metrics (CPU, memory, event loop, GC) belong to the process: collected once, whatever the
 * apps, and from the first app's start (the event-loop monitor has no samples, so NaN, until it ran).
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function checkToken(request: FastifyRequest, token: string): void {
  const header = request.headers.authorization ?? '';
  const [scheme, value] = header.split(' ', 2);
  if (!header || scheme?.toLowerCase() !== 'bearer') throw new AppError('UNAUTHENTICATED');
  // Compared as digests: equal lengths, constant time.
  if (!timingSafeEqual(digest(value ?? ''), digest(token))) throw new AppError('API_TOKEN_INVALID');
}

/**
 * `GET /metrics` in Prometheus text format: HTTP requests of this API process, its process metrics,
 * queue depths by state and the cluster-wide job histograms and failures the workers keep in Redis.
 * Call before registering routes, so the request hook sees every route.
 */
export function installMetrics(app: FastifyInstance, options: MetricsOptions): void {
  const perProcess = processMetrics();
  const registry = new Registry();
  installHttpMetrics(app, registry);
  let jobs = async () => '';
  if (options.ops) {
    const { ops } = options;
    registerQueueMetrics(registry, ops.queues);
    const read = scrapeCache(() => readJobMetrics(ops.redis, ops.prefix), 2000);
    // Redis down: cvb_queue_up says so; the job series are left out rather than reported as zero.
    jobs = () => read().then(jobMetricsText, () => '');
  }
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (options.token) {
      try {
        checkToken(request, options.token);
      } catch (err) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw err;
      }
    }
    const parts = await Promise.all([perProcess.metrics(), registry.metrics(), jobs()]);
    // prom-client spells NaN `Nan`; the text format (and stricter parsers) want `NaN`.
    return reply.type(registry.contentType).send(parts.join('').replace(/ Nan$/gm, ' NaN'));
  });
}
