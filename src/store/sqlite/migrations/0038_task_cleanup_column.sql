-- A finished task's removal deadline in a column of its own (storeSchema.ts KIND_COLUMNS): null while the task
-- lives. A router is built from the workspace's live tasks, held in memory, and its finished ones, whose removals
-- it schedules; those were found by reading every task's status out of its document (0.8 s of a restart with
-- 500,000 pending tasks). The partial index holds finished tasks only, so a live task's updates never touch it.
ALTER TABLE tasks ADD COLUMN cleanup_at INTEGER;
UPDATE tasks SET cleanup_at = json_extract(data, '$.cleanupAt') WHERE json_extract(data, '$.cleanupAt') IS NOT NULL;
CREATE INDEX tasks_finished ON tasks (workspace_sid, seq) WHERE cleanup_at IS NOT NULL;
