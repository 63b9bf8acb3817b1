import type { Actor, ListQuery, Page } from './common.types.js';

/** A user as CVAT's `User` serializer shows it (no password, no tokens). */
export interface UserRecord {
  id: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  is_superuser: boolean;
  is_staff: boolean;
  is_active: boolean;
  date_joined: Date;
  last_login: Date | null;
}

export interface NewUser {
  username: string;
  password: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  is_superuser?: boolean;
  is_staff?: boolean;
  is_active?: boolean;
}

export interface UserPatch {
  email?: string;
  first_name?: string;
  last_name?: string;
  is_superuser?: boolean;
  is_staff?: boolean;
  is_active?: boolean;
  password?: string;
}

/** The acting user of a request, as the API's auth hook needs it. */
export function actorOf(user: Pick<UserRecord, 'id' | 'is_superuser'>): Actor {
  return { id: user.id, isAdmin: user.is_superuser };
}

/**
 * Users, passwords (scrypt) and API tokens (CVAT's 40-hex `key`; only a hash is stored).
 * Username and e-mail are unique case-insensitively.
 */
export interface UserRepository {
  /** Throws CATALOG_USERNAME_TAKEN / CATALOG_EMAIL_TAKEN. */
  create(user: NewUser): Promise<UserRecord>;
  get(id: number): Promise<UserRecord | null>;
  findByUsername(username: string): Promise<UserRecord | null>;
  /** Admins list everybody; others see only themselves. Filters: username, email, is_active, id. */
  list(actor: Actor, query?: ListQuery): Promise<Page<UserRecord>>;
  /** Returns null for an unknown id. Changing the password revokes the user's tokens. */
  update(id: number, patch: UserPatch): Promise<UserRecord | null>;
  delete(id: number): Promise<boolean>;
  /**
   * Checks a login by username or e-mail. Null for an unknown user, a wrong password or an inactive
   * user (one answer for all, so the caller cannot tell which). Sets `last_login` on success.
   */
  authenticate(usernameOrEmail: string, password: string): Promise<UserRecord | null>;
  /** Creates a new API key for the user and returns it; the key itself is not stored. It never expires. */
  issueToken(userId: number): Promise<string>;
  /** The active user owning the API key, or null (a session key is not an API key). */
  findByToken(key: string): Promise<UserRecord | null>;
  /** Creates a browser session key for the user that ends `maxAgeSeconds` from now, as Django's login. */
  issueSession(userId: number, maxAgeSeconds: number): Promise<string>;
  /** The active user of an unexpired session key, or null. */
  findBySession(key: string): Promise<UserRecord | null>;
  /** Deletes the sessions that have expired (Django's `clearsessions`); returns how many. */
  deleteExpiredSessions(): Promise<number>;
  /** Deletes one API or session key (logout). */
  revokeToken(key: string): Promise<boolean>;
  /**
   * Start-up: creates the admin (superuser, staff) when no user of that name exists. Never changes an
   * existing user's password. Safe when several processes start at once.
   */
  ensureAdmin(username: string, password: string): Promise<{ user: UserRecord; created: boolean }>;
}

/** The fields a user list can be filtered by (equality: `?name=` and `filter=` of CVAT's list API). */
export const USER_FILTERS = ['id', 'username', 'email', 'first_name', 'last_name', 'is_active'] as const;
