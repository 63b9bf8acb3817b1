import type { ScheduleArchiveRecord, ScheduleRetention } from '@cvat-backup/catalog';

const DAY_MS = 24 * 3600 * 1000;

const resourceKey = (a: { target: string; target_id: number }) => `${a.target}-${a.target_id}`;

/**
 * The archives a retention policy lets go: per resource, everything past the newest `keep_last`, and
 * everything older than `max_age_days`, but never a resource's newest archive (a resource that stopped
 * changing, or whose latest backups failed, keeps its last good one). Resources in `spare` (those whose
 * backup failed in this run) are left alone.
 */
export function expiredArchives<
  A extends Pick<ScheduleArchiveRecord, 'target' | 'target_id' | 'created_date' | 'id'>,
>(
  archives: readonly A[],
  retention: ScheduleRetention,
  now: Date,
  spare: ReadonlySet<string> = new Set(),
): A[] {
  if (retention.keep_last === undefined && retention.max_age_days === undefined) return [];
  const byResource = new Map<string, A[]>();
  for (const archive of archives) {
    const key = resourceKey(archive);
    if (spare.has(key)) continue;
    byResource.set(key, [...(byResource.get(key) ?? []), archive]);
  }
  const expired: A[] = [];
  for (const list of byResource.values()) {
    list.sort((a, b) => b.created_date.getTime() - a.created_date.getTime() || b.id - a.id);
    list.forEach((archive, index) => {
      if (index === 0) return;
      const beyondCount = retention.keep_last !== undefined && index >= retention.keep_last;
      const tooOld =
        retention.max_age_days !== undefined &&
        now.getTime() - archive.created_date.getTime() > retention.max_age_days * DAY_MS;
      if (beyondCount || tooOld) expired.push(archive);
    });
  }
  return expired;
}

export { resourceKey };
