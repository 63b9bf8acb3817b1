/**
 * Per-user index of export and import requests, so `GET /api/requests` reads one user's jobs instead
 * of every job of both queues. One sorted set per user holds `<kind>:<jobId>` scored by when the
 * request was made.
 *
 * Crash safety: an entry is written before its job is added. A crash in between leaves an entry
 * without a job (pruned later), never a job missing from its owner's list. Entries whose job is gone
 * (expired by the result/failure TTL, cancelled, removed by an operator) are pruned lazily: by the
 * list that finds them, and a few of the oldest after every enqueue, so a user who never lists does
 * not grow the set without bound. Pruning removes an entry only if its score is still the one read
 * (an export re-enqueued under the same id meanwhile re-scored it) and only once it is older than a
 * grace period (its job may be just about to be added).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from './queue-names.js';

export type RequestKind = 'export' | 'import';

export interface IndexEntry {
  kind: RequestKind;
  jobId: string;
  /** The entry's score: when the request was indexed (ms since the epoch). */
  indexedAt: number;
}

export interface RequestIndexOptions {
  /** An ioredis client (e.g. a Queue's `client`, which BullMQ types more narrowly). */
  client: Redis | Promise<Redis>;
  /** BullMQ key prefix of the queues: the index lives beside them. */
  prefix: string;
  /** How young an entry without a job may be before it is pruned. */
  graceMs?: number;
  /** How many of the oldest entries an enqueue checks. */
  pruneOnAdd?: number;
}

/** Removes `member` only while it still has the score the caller read (see the file comment). */
const REMOVE_IF_SCORE = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0`;

const KINDS = new Set<string>(['export', 'import']);
const QUEUE_OF: Record<RequestKind, string> = { export: QUEUE_NAMES.export, import: QUEUE_NAMES.import };
/** Job states read by the one-time backfill (every state a job of these queues can be in). */
const ALL_STATES = ['waiting', 'prioritized', 'delayed', 'waiting-children', 'active', 'completed', 'failed'];
const BACKFILL_BATCH = 500;

export class RequestIndex {
  private readonly client: Promise<Redis>;
  private readonly prefix: string;
  private readonly graceMs: number;
  private readonly pruneOnAdd: number;
  private backfilled: Promise<void> | undefined;

  constructor(options: RequestIndexOptions) {
    this.client = Promise.resolve(options.client);
    this.prefix = options.prefix;
    this.graceMs = options.graceMs ?? 60_000;
    this.pruneOnAdd = options.pruneOnAdd ?? 8;
  }

  /** The sorted set of one user's requests. */
  userKey(userId: number): string {
    return `${this.prefix}:cvb-requests:user:${userId}`;
  }

  /** Set once every job enqueued before the index existed has an entry. */
  private get backfillKey(): string {
    return `${this.prefix}:cvb-requests:backfilled-v1`;
  }

  /** The BullMQ hash of a job: it exists exactly while the job does. */
  private jobKey(kind: RequestKind, jobId: string): string {
    return `${this.prefix}:${QUEUE_OF[kind]}:${jobId}`;
  }

  /** Indexes requests about to be enqueued; call before adding their jobs. */
  async add(entries: ReadonlyArray<{ userId: number; kind: RequestKind; jobId: string }>): Promise<void> {
    if (entries.length === 0) return;
    const client = await this.client;
    const now = Date.now();
    const multi = client.multi();
    for (const e of entries) multi.zadd(this.userKey(e.userId), now, `${e.kind}:${e.jobId}`);
    await multi.exec();
  }

  /** One user's entries, newest first. */
  async entries(userId: number): Promise<IndexEntry[]> {
    const client = await this.client;
    return decode(await client.zrange(this.userKey(userId), 0, '-1', 'REV', 'WITHSCORES'));
  }

  /**
   * Removes entries found without a job, keeping those younger than the grace period and those
   * re-scored since they were read. Returns how many went.
   */
  async prune(userId: number, gone: readonly IndexEntry[], now: number = Date.now()): Promise<number> {
    const old = gone.filter((e) => now - e.indexedAt > this.graceMs);
    if (old.length === 0) return 0;
    const client = await this.client;
    const key = this.userKey(userId);
    const removed = await Promise.all(
      old.map(
        (e) =>
          client.eval(
            REMOVE_IF_SCORE,
            1,
            key,
            `${e.kind}:${e.jobId}`,
            String(e.indexedAt),
          ) as Promise<number>,
      ),
    );
    return removed.reduce((a, b) => a + b, 0);
  }

  /** Checks the user's oldest few entries and prunes those whose job is gone (called after an enqueue). */
  async pruneOldest(userId: number): Promise<number> {
    const client = await this.client;
    const oldest = decode(
      await client.zrange(this.userKey(userId), 0, String(this.pruneOnAdd - 1), 'WITHSCORES'),
    );
    const exists = await Promise.all(oldest.map((e) => client.exists(this.jobKey(e.kind, e.jobId))));
    return this.prune(
      userId,
      oldest.filter((_, i) => exists[i] === 0),
    );
  }

  /**
   * Indexes every job enqueued before the index existed, once per deployment (a marker key records
   * it). Idempotent: replicas doing it at once, or a process dying half-way and redoing it, only
   * write the same entries again; entries already there keep their score.
   */
  ensureBackfilled(queues: { exports: Queue; imports: Queue }): Promise<void> {
    this.backfilled ??= this.backfill(queues).catch((err: unknown) => {
      // Tried again by the next caller (e.g. Redis was down at start-up).
      this.backfilled = undefined;
      throw err;
    });
    return this.backfilled;
  }

  private async backfill(queues: { exports: Queue; imports: Queue }): Promise<void> {
    const client = await this.client;
    if (await client.exists(this.backfillKey)) return;
    for (const [kind, queue] of [
      ['export', queues.exports],
      ['import', queues.imports],
    ] as const) {
      for (const state of ALL_STATES) {
        for (let start = 0; ; start += BACKFILL_BATCH) {
          const jobs = await queue.getJobs([state as 'waiting'], start, start + BACKFILL_BATCH - 1, true);
          const multi = client.multi();
          for (const job of jobs) {
            const userId = (job?.data as { userId?: unknown } | undefined)?.userId;
            if (!job?.id || typeof userId !== 'number') continue;
            multi.zadd(this.userKey(userId), 'NX', job.timestamp, `${kind}:${job.id}`);
          }
          await multi.exec();
          if (jobs.length < BACKFILL_BATCH) break;
        }
      }
    }
    await client.set(this.backfillKey, new Date().toISOString());
  }
}

/**
 * A WITHSCORES reply as entries: `[member, score, …]` (RESP2) or `[[member, score], …]` (RESP3).
 * Members not made here are skipped.
 */
function decode(reply: unknown[]): IndexEntry[] {
  const raw = reply.flat().map(String);
  const out: IndexEntry[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const member = raw[i]!;
    const colon = member.indexOf(':');
    const kind = member.slice(0, colon);
    if (colon < 0 || !KINDS.has(kind)) continue;
    out.push({ kind: kind as RequestKind, jobId: member.slice(colon + 1), indexedAt: Number(raw[i + 1]) });
  }
  return out;
}
