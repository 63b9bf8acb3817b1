import type { BasicUser, UserRecord } from '@cvat-backup/catalog';

/** CVAT's nested `BasicUser`. */
export function basicUser(base: string, user: BasicUser | null) {
  if (!user) return null;
  return {
    url: `${base}/api/users/${user.id}`,
    id: user.id,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
  };
}

/** CVAT's `User` (`GET /api/users/self`, admin user management). */
export function serializeUser(base: string, user: UserRecord) {
  return {
    url: `${base}/api/users/${user.id}`,
    id: user.id,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    email: user.email,
    groups: user.is_superuser ? ['admin'] : ['user'],
    is_staff: user.is_staff,
    is_superuser: user.is_superuser,
    is_active: user.is_active,
    last_login: user.last_login?.toISOString() ?? null,
    date_joined: user.date_joined.toISOString(),
    has_analytics_access: user.is_superuser,
  };
}
