import { createHash } from 'node:crypto';
import type { UserRecord } from '@cvat-backup/catalog';

/**
 * Basic credentials already verified, by a digest of the `Authorization` header (never the header
 * itself), for `ttlMs`. A browser sends Basic credentials with every asset and every poll of the
 * dashboard, and each check is one scrypt (32 MiB; measured 370–410 ms here, under load); within the TTL a
 * repeat costs a map lookup. The price: a changed password or a demoted administrator takes effect on
 * the dashboard after at most `ttlMs`.
 */
export class VerifiedCredentials {
  private readonly entries = new Map<string, { user: UserRecord; until: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 1000,
  ) {}

  get(header: string): UserRecord | undefined {
    const key = digest(header);
    const entry = this.entries.get(key);
    if (entry && entry.until > Date.now()) return entry.user;
    this.entries.delete(key);
    return undefined;
  }

  set(header: string, user: UserRecord): void {
    // Oldest first: a Map iterates in insertion order.
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest(header), { user, until: Date.now() + this.ttlMs });
  }
}

const digest = (header: string) => createHash('sha256').update(header).digest('base64');
