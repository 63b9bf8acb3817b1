import { describe, expect, it } from 'vitest';
import { planParts } from './part-plan.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;
const s3 = { maxParts: 10_000, minPartSize: 5 * MiB, maxPartSize: 5 * GiB, maxObjectSize: 5 * TiB };
const azure = { maxParts: 50_000, minPartSize: MiB, maxPartSize: 4000 * MiB, maxObjectSize: 5 * TiB };
const where = { storage: 's', key: 'k' };

const capacity = (plan: (n: number) => number, parts: number) => {
  let total = 0;
  for (let n = 1; n <= parts; n++) total += plan(n);
  return total;
};

describe('planParts', () => {
  it('keeps the configured size when the hint fits', () => {
    const plan = planParts(s3, 8 * MiB, 1 * GiB, where);
    expect(plan(1)).toBe(8 * MiB);
    expect(plan(10_000)).toBe(8 * MiB);
  });

  it('raises the part size so a 5 TiB hint fits within 10,000 S3 parts', () => {
    const plan = planParts(s3, 8 * MiB, 5 * TiB, where);
    expect(plan(1) % MiB).toBe(0);
    expect(plan(1) * s3.maxParts).toBeGreaterThanOrEqual(5 * TiB);
    expect(plan(1)).toBeLessThanOrEqual(s3.maxPartSize);
  });

  it('fits 5 TiB within 50,000 Azure blocks', () => {
    const plan = planParts(azure, 8 * MiB, 5 * TiB, where);
    expect(plan(1) * azure.maxParts).toBeGreaterThanOrEqual(5 * TiB);
  });

  it('never goes below the store minimum', () => {
    expect(planParts(s3, 1 * MiB, 10, where)(1)).toBe(5 * MiB);
  });

  it('refuses a hint above the object limit', () => {
    expect(() => planParts(s3, 8 * MiB, 5 * TiB + 1, where)).toThrow(
      expect.objectContaining({ code: 'STORAGE_OBJECT_TOO_LARGE' }),
    );
  });

  it('refuses a part beyond the part limit (the data outgrew its hint)', () => {
    const plan = planParts(s3, 8 * MiB, 1 * GiB, where);
    expect(() => plan(10_001)).toThrow(expect.objectContaining({ code: 'STORAGE_OBJECT_TOO_LARGE' }));
  });

  it('without a hint starts small and grows, so 5 TiB still fits', () => {
    const plan = planParts(s3, 8 * MiB, undefined, where);
    expect(plan(1)).toBe(8 * MiB);
    expect(plan(1000)).toBe(8 * MiB);
    expect(plan(1001)).toBe(16 * MiB);
    expect(capacity(plan, s3.maxParts)).toBeGreaterThanOrEqual(5 * TiB);
    const azurePlan = planParts(azure, 8 * MiB, undefined, where);
    expect(capacity(azurePlan, azure.maxParts)).toBeGreaterThanOrEqual(5 * TiB);
  });
});
