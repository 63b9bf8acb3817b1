-- Closing gaps of scheduled backups (0005):
-- * a deleted schedule keeps its archives tracked: it becomes `retired` (no more runs, archives still
--   listed and downloadable) instead of vanishing with its rows; deleting it with its archives marks it
--   `deleting`, marks every archive row, deletes the files, then the rows, then the schedule; a sweep
--   finishes what a crash interrupted.
-- * a run remembers which exports it queued, so an export job that vanished from the queue is reported
--   as failed instead of silently missing from the counts.
-- * an archive remembers the lightweight setting it was requested with, so skip_unchanged can tell a
--   change of that setting (the recorded `lightweight` says only whether media were left out).

ALTER TABLE backup_schedules
  ADD COLUMN state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'retired', 'deleting')),
  ADD COLUMN retired_date timestamptz,
  ADD CONSTRAINT backup_schedules_retired_date CHECK ((state = 'active') = (retired_date IS NULL)),
  -- Only an active schedule fires: reconciliation removes the scheduler of anything else.
  ADD CONSTRAINT backup_schedules_retired_disabled CHECK (state = 'active' OR NOT enabled);
CREATE INDEX backup_schedules_deleting_idx ON backup_schedules (id) WHERE state = 'deleting';

-- [{target, id}]: the resources the fan-out queued one export for.
ALTER TABLE backup_schedule_runs ADD COLUMN planned jsonb NOT NULL DEFAULT '[]';

ALTER TABLE backup_schedule_archives
  -- NULL for archives recorded before this column: their setting is unknown, so they never count as
  -- unchanged (one new archive is made, then the setting is known).
  ADD COLUMN lightweight_requested boolean,
  -- Set when the schedule is being deleted with its archives: the file goes, then the row.
  ADD COLUMN deleting boolean NOT NULL DEFAULT false;
