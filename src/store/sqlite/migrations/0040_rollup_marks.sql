-- The per-minute rollups are folded from the events in batches instead of being written with every commit
-- group (storeSchema.ts, "Folds"): per workspace, the position of the last event folded into them. Every event
-- stored so far is in the rollups (written with its group, or by migration 0034), so each workspace's mark
-- starts at its last event. (IF NOT EXISTS, OR IGNORE: tests run the migrations after an earlier one again.)
CREATE TABLE IF NOT EXISTS rollup_marks (
  workspace_sid TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO rollup_marks (workspace_sid, seq)
SELECT workspace_sid, max(seq) FROM events WHERE workspace_sid LIKE 'WS%' GROUP BY workspace_sid;
