import type { Actor } from '../repositories/common.types.js';
import type { RetireResult } from '../repositories/schedule.repository.js';
import { atomically, type Connections } from './db.js';

/**
 * How a schedule stops: retired (its archives stay tracked) or deleted with its archives in three
 * crash-safe steps (mark, delete files and rows, remove the schedule). Kept apart from the repository's
 * reads and run bookkeeping; the repository delegates here.
 */

const VISIBLE = '($1::boolean OR s.owner_id = $2::integer)';

export function retireSchedule(conn: Connections, actor: Actor, id: number): Promise<RetireResult | null> {
  return atomically(conn, async (client) => {
    // Locked: an export recording an archive of this schedule waits, then sees the outcome.
    const { rows } = await client.query<{ state: string; keeps: boolean }>(
      `SELECT s.state, EXISTS (SELECT 1 FROM backup_schedule_archives a WHERE a.schedule_id = s.id)
           OR EXISTS (SELECT 1 FROM backup_schedule_runs r WHERE r.schedule_id = s.id AND r.status = 'running')
           AS keeps
         FROM backup_schedules s WHERE s.id = $3 AND ${VISIBLE} FOR UPDATE`,
      [actor.isAdmin, actor.id, id],
    );
    const row = rows[0];
    if (!row) return null;
    // Nothing to keep track of (no archive, and no run that could still write one): it just goes. A
    // retired schedule whose last run wrote nothing goes the same way when deleted again.
    if (row.state !== 'deleting' && !row.keeps) {
      await client.query('DELETE FROM backup_schedules WHERE id = $1', [id]);
      return 'deleted';
    }
    await client.query(
      `UPDATE backup_schedules SET state = 'retired', enabled = false, retired_date = now(),
         updated_date = now() WHERE id = $1 AND state = 'active'`,
      [id],
    );
    return 'retired';
  });
}

export function beginPurge(conn: Connections, actor: Actor, id: number): Promise<boolean> {
  return atomically(conn, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE backup_schedules s SET state = 'deleting', enabled = false,
         retired_date = coalesce(s.retired_date, now()), updated_date = now()
       WHERE s.id = $3 AND ${VISIBLE}`,
      [actor.isAdmin, actor.id, id],
    );
    if (!rowCount) return false;
    await client.query('UPDATE backup_schedule_archives SET deleting = true WHERE schedule_id = $1', [id]);
    return true;
  });
}

export async function purgingSchedules(conn: Connections): Promise<number[]> {
  const { rows } = await conn.db.query<{ id: number }>(
    `SELECT id FROM backup_schedules WHERE state = 'deleting' ORDER BY id`,
  );
  return rows.map((r) => r.id);
}

export function finishPurge(conn: Connections, scheduleId: number): Promise<boolean> {
  return atomically(conn, async (client) => {
    // The lock orders this against an export recording an archive: either its row is seen here (and
    // the schedule stays for the next sweep), or its insert runs after and finds no schedule.
    const locked = await client.query(
      `SELECT 1 FROM backup_schedules WHERE id = $1 AND state = 'deleting' FOR UPDATE`,
      [scheduleId],
    );
    if (!locked.rowCount) return false;
    const left = await client.query('SELECT 1 FROM backup_schedule_archives WHERE schedule_id = $1 LIMIT 1', [
      scheduleId,
    ]);
    if (left.rowCount) return false;
    await client.query('DELETE FROM backup_schedules WHERE id = $1', [scheduleId]);
    return true;
  });
}
