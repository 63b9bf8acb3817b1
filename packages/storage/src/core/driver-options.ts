import { AppError } from '@cvat-backup/common';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';

const MiB = 1024 * 1024;

/** Tuning every cloud driver shares; all optional, defaults below. */
export interface TransferOptions {
  /** A folder in the bucket/container every key is scoped to. */
  prefix?: string;
  /** Part (S3) or block (Azure) size before `sizeHint` raises it; default 8 MiB. */
  partSize?: number;
  /** Parts in flight per write; memory per write ≈ `(queueSize + 1) × partSize`. Default 4. */
  queueSize?: number;
  /** One request (or a read making no progress) taking longer fails and is retried. Default 60 s. */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

export interface ResolvedTransfer {
  prefix: string | undefined;
  partSize: number;
  queueSize: number;
  requestTimeoutMs: number;
  retry: RetryPolicy;
}

/** The slowest transfer rate treated as progress: 1 MiB/s. */
const MIN_BYTES_PER_MS = (1024 * 1024) / 1000;

/** How long one request carrying `bytes` may take: the request timeout plus the bytes at 1 MiB/s. */
export function attemptTimeout(transfer: ResolvedTransfer): (bytes: number) => number {
  return (bytes) => transfer.requestTimeoutMs + Math.ceil(bytes / MIN_BYTES_PER_MS);
}

/** Merges defaults and refuses nonsense once, in the constructor. */
export function resolveTransfer(options: TransferOptions): ResolvedTransfer {
  const resolved = {
    prefix: options.prefix,
    partSize: options.partSize ?? 8 * MiB,
    queueSize: options.queueSize ?? 4,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    retry: { ...DEFAULT_RETRY, ...options.retry },
  };
  const problems: string[] = [];
  if (!Number.isSafeInteger(resolved.partSize) || resolved.partSize < 1)
    problems.push('partSize must be a positive integer');
  if (!Number.isSafeInteger(resolved.queueSize) || resolved.queueSize < 1)
    problems.push('queueSize must be at least 1');
  if (!(resolved.requestTimeoutMs > 0)) problems.push('requestTimeoutMs must be positive');
  if (!Number.isSafeInteger(resolved.retry.attempts) || resolved.retry.attempts < 1)
    problems.push('retry.attempts must be at least 1');
  if (problems.length > 0) throw new AppError('STORAGE_CONFIG_INVALID', { problems: problems.join('; ') });
  return resolved;
}
