import { describe, expect, it } from 'vitest';
import { expiredArchives } from './retention.js';

const now = new Date('2026-06-10T00:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3600_000);
let seq = 0;
const archive = (target_id: number, age: number, target: 'task' | 'project' = 'task') => ({
  id: ++seq,
  target,
  target_id,
  created_date: daysAgo(age),
});

describe('retention selection', () => {
  const a = [archive(1, 0), archive(1, 1), archive(1, 2), archive(1, 3)];
  const b = [archive(2, 10), archive(2, 20)];
  const p = [archive(1, 5, 'project'), archive(1, 6, 'project')];
  const all = [...b, ...a, ...p];

  it('keeps nothing extra without a policy', () => {
    expect(expiredArchives(all, {}, now)).toEqual([]);
  });

  it('keeps the newest N per resource (task 1 and project 1 are different resources)', () => {
    const ids = expiredArchives(all, { keep_last: 2 }, now).map((x) => x.id);
    expect(ids.sort()).toEqual([a[2]!.id, a[3]!.id].sort());
  });

  it('drops archives past the age but never the newest of a resource', () => {
    const ids = expiredArchives(all, { max_age_days: 2.5 }, now).map((x) => x.id);
    // task 2's newest (10 days) and project 1's newest (5 days) stay although older than the bound.
    expect(ids.sort()).toEqual([a[3]!.id, b[1]!.id, p[1]!.id].sort());
  });

  it('applies both bounds together and spares resources that failed in this run', () => {
    const ids = expiredArchives(all, { keep_last: 3, max_age_days: 1.5 }, now, new Set(['task-2'])).map(
      (x) => x.id,
    );
    expect(ids.sort()).toEqual([a[2]!.id, a[3]!.id, p[1]!.id].sort());
  });

  it('orders by creation, whatever order the rows come in', () => {
    const shuffled = [a[3]!, a[0]!, a[2]!, a[1]!];
    expect(
      expiredArchives(shuffled, { keep_last: 1 }, now)
        .map((x) => x.id)
        .sort(),
    ).toEqual([a[1]!.id, a[2]!.id, a[3]!.id].sort());
  });
});
