-- The per-minute rollups are folded from the events in batches instead of being written with every commit
-- group (storeSchema.ts, "Folds"): per workspace, the position of the last event folded into them. Every event
-- stored so far is in the rollups (written with its group, or by migration 0034), so each workspace's mark
-- starts at its last event. A node of an earlier version still writes the rollups of its groups' events: a
-- workspace it writes after this migration and a node of this version folds later has those events counted
-- twice in its statistics, so upgrade a cluster by stopping its nodes of earlier versions before the first
-- node of this one starts (docs/operations.md).
CREATE TABLE rollup_marks (
  workspace_sid text PRIMARY KEY,
  seq bigint NOT NULL
);
INSERT INTO rollup_marks (workspace_sid, seq)
SELECT workspace_sid, max(seq) FROM events WHERE workspace_sid LIKE 'WS%' GROUP BY workspace_sid;
