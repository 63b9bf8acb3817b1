import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  type ExportJobPayload,
  exportJobSchema,
  type ImportJobPayload,
  importJobSchema,
} from './job-payloads.js';
import { parsePayload } from './parse-payload.js';
import { QUEUE_NAMES } from './queue-names.js';
import { exportRequestId, importRequestId } from './request-id.js';
import { RequestIndex } from './request-index.js';

export interface ProducerOptions {
  connection: Redis;
  /** BullMQ key prefix; tests give each run its own. */
  prefix?: string;
  /** How long finished requests (and so their results) stay visible. */
  resultTtlSeconds?: number;
  /** How long failed requests stay visible with their message. */
  failureTtlSeconds?: number;
  /** Attempts for transient failures (permanent ones fail at once in the worker). */
  attempts?: number;
  /** How young a request-index entry without its job is left alone (tests shorten it). */
  indexGraceMs?: number;
}

export interface Enqueued {
  rqId: string;
  /** False when the same request was already queued or running: the caller answers 409. */
  created: boolean;
}

const IN_FLIGHT = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Enqueues export and import jobs. Used by the API and usable by an outside server that wants to
 * enqueue directly: payloads are validated here, ids are deterministic for exports.
 */
export class BackupProducer {
  readonly exports: Queue;
  readonly imports: Queue;
  /** Each user's requests, written here before their jobs are added (see RequestIndex). */
  readonly index: RequestIndex;
  private readonly defaults: JobsOptions;

  constructor(options: ProducerOptions) {
    const {
      connection,
      prefix = 'bull',
      resultTtlSeconds = 24 * 3600,
      failureTtlSeconds = 24 * 3600,
      attempts = 5,
    } = options;
    this.exports = new Queue(QUEUE_NAMES.export, { connection, prefix });
    this.imports = new Queue(QUEUE_NAMES.import, { connection, prefix });
    this.index = new RequestIndex({
      client: connection,
      prefix,
      ...(options.indexGraceMs !== undefined ? { graceMs: options.indexGraceMs } : {}),
    });
    this.defaults = {
      attempts,
      backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
      removeOnComplete: { age: resultTtlSeconds },
      removeOnFail: { age: failureTtlSeconds },
    };
  }

  /**
   * The same export (resource, user, lightweight, destination and file name: the id holds them) while
   * one is queued or running finds the first (`created: false`). A finished or failed one with that id is replaced by the new request.
   */
  async enqueueExport(payload: ExportJobPayload): Promise<Enqueued> {
    const data = parsePayload(exportJobSchema, payload);
    const rqId = exportRequestId(data);
    const existing = await this.exports.getJob(rqId);
    if (existing) {
      const state = await existing.getState();
      if (IN_FLIGHT.has(state)) return { rqId, created: false };
    }
    // Indexed before the old job goes: its entry is re-scored now, so a list pruning it meanwhile keeps it.
    await this.index.add([{ userId: data.userId, kind: 'export', jobId: rqId }]);
    if (existing) await existing.remove();
    await this.exports.add(`export:${data.target}`, data, { ...this.defaults, jobId: rqId });
    await this.pruneAfterAdd(data.userId);
    // Two racing adds with one id yield one job; whichever request's data it holds is the one created.
    const stored = await this.exports.getJob(rqId);
    return { rqId, created: stored?.data.requestedAt === data.requestedAt };
  }

  async enqueueImport(
    payload: ImportJobPayload,
    rqId: string = importRequestId(payload.target),
  ): Promise<Enqueued> {
    const data = parsePayload(importJobSchema, payload);
    // An id derived from an upload may come twice (a repeated finish): the second finds the first.
    if (await this.imports.getJob(rqId)) return { rqId, created: false };
    await this.index.add([{ userId: data.userId, kind: 'import', jobId: rqId }]);
    await this.imports.add(`import:${data.target}`, data, { ...this.defaults, jobId: rqId });
    await this.pruneAfterAdd(data.userId);
    return { rqId, created: true };
  }

  /** Keeps a user's index bounded without a list; best effort, as the job is queued already. */
  private async pruneAfterAdd(userId: number): Promise<void> {
    // A failure leaves a few stale entries for the next list or enqueue to prune.
    await this.index.pruneOldest(userId).catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([this.exports.close(), this.imports.close()]);
  }
}
