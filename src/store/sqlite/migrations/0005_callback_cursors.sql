-- Webhook delivery tails the event log: a named cursor per workspace and kind of callback records the last
-- event handled, so delivery resumes after a restart where it stopped (at least once, never skipped).
CREATE TABLE cursors (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL
);
CREATE INDEX events_workspace_type ON events (workspace_sid, event_type, seq);
