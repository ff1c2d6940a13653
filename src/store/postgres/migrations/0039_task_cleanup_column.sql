-- A finished task's removal deadline in a column of its own (storeSchema.ts KIND_COLUMNS), as SQLite's 0038: null
-- while the task lives. A router (at start, or when a node takes a workspace over) is built from the live tasks,
-- held in memory, and the finished ones, whose removals it schedules; those were found by reading every task's
-- status out of its document. The partial index holds finished tasks only: a live task's updates leave cleanup_at
-- null and stay HOT; a task's one non-HOT update is the one that finishes it.
ALTER TABLE tasks ADD COLUMN cleanup_at bigint;
UPDATE tasks SET cleanup_at = (data->>'cleanupAt')::bigint WHERE data->>'cleanupAt' IS NOT NULL;
CREATE INDEX tasks_finished ON tasks (workspace_sid, seq) WHERE cleanup_at IS NOT NULL;
