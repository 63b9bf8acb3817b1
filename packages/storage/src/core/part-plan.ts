import { AppError } from '@cvat-backup/common';

const MiB = 1024 * 1024;

/** The limits of one store's multipart (S3) or block (Azure) uploads. */
export interface PartLimits {
  /** Most parts or blocks in one object (S3 10,000; Azure 50,000). */
  maxParts: number;
  /** Smallest part (S3 5 MiB, except the last); Azure has none to speak of. */
  minPartSize: number;
  /** Largest part (S3 5 GiB; Azure 4000 MiB). */
  maxPartSize: number;
  /** Largest object this system writes (5 TiB, S3's object limit). */
  maxObjectSize: number;
}

/** Gives the size of part `n` (1-based); throws once `n` exceeds the store's part limit. */
export type PartPlan = (partNumber: number) => number;

const roundUpToMiB = (n: number) => Math.ceil(n / MiB) * MiB;

/**
 * Chooses part sizes. With a size hint: one fixed size, the configured one or, when that would
 * need too many parts, the smallest MiB multiple that fits the hint within `maxParts`. Without a
 * hint: the configured size, doubled every tenth of `maxParts`, which fits `maxObjectSize` with
 * the default sizes (8 MiB × 1000 × (2¹⁰−1) ≈ 8 TiB on S3) while keeping small writes small.
 * Memory is `queueSize + 1` parts, so it grows only with very large unhinted writes.
 */
export function planParts(
  limits: PartLimits,
  configuredPartSize: number,
  sizeHint: number | undefined,
  describe: { storage: string; key: string },
): PartPlan {
  const base = Math.min(limits.maxPartSize, Math.max(limits.minPartSize, configuredPartSize));
  const tooMany = (n: number) =>
    new AppError('STORAGE_OBJECT_TOO_LARGE', {
      ...describe,
      reason: `the write needs more than ${limits.maxParts} parts (part ${n})`,
    });
  if (sizeHint !== undefined) {
    if (sizeHint > limits.maxObjectSize)
      throw new AppError('STORAGE_OBJECT_TOO_LARGE', {
        ...describe,
        reason: `${sizeHint} bytes exceed the limit of ${limits.maxObjectSize}`,
      });
    const size = Math.min(
      limits.maxPartSize,
      Math.max(base, roundUpToMiB(Math.ceil(sizeHint / limits.maxParts))),
    );
    return (n) => {
      if (n > limits.maxParts) throw tooMany(n);
      return size;
    };
  }
  const tier = Math.max(1, Math.floor(limits.maxParts / 10));
  return (n) => {
    if (n > limits.maxParts) throw tooMany(n);
    return Math.min(limits.maxPartSize, base * 2 ** Math.floor((n - 1) / tier));
  };
}
