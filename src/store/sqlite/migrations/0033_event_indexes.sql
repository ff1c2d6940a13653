-- The event log keeps only the indexes a query needs: every event row is written on the hottest path (about
-- ten per task lifecycle), and each index is a B-tree insert per row. The sid's UNIQUE index goes (an event is
-- found by its sid through its workspace and its time, which the sid carries: see getEvent), and so does the
-- reservation index (the Events resource's ReservationSid filter reads within its time window). The task and
-- worker indexes become partial: rows without a task or a worker are not in them.
CREATE TABLE events_next (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT NOT NULL,
  event_type TEXT NOT NULL,
  resource_sid TEXT NOT NULL,
  date_ms INTEGER NOT NULL,
  data TEXT NOT NULL,
  task_sid TEXT,
  worker_sid TEXT,
  reservation_sid TEXT,
  task_queue_sid TEXT,
  workflow_sid TEXT,
  task_channel_sid TEXT,
  task_age INTEGER,
  task_age_in_queue INTEGER,
  previous_activity_sid TEXT,
  previous_activity_ms INTEGER
);
INSERT INTO events_next (seq, sid, account_sid, workspace_sid, event_type, resource_sid, date_ms, data, task_sid, worker_sid, reservation_sid,
  task_queue_sid, workflow_sid, task_channel_sid, task_age, task_age_in_queue, previous_activity_sid, previous_activity_ms)
SELECT seq, sid, account_sid, workspace_sid, event_type, resource_sid, date_ms, data, task_sid, worker_sid, reservation_sid,
  task_queue_sid, workflow_sid, task_channel_sid, task_age, task_age_in_queue, previous_activity_sid, previous_activity_ms
FROM events;
-- Positions are never reused, even those of rows deleted before (webhook cursors hold positions).
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_next', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events_next');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)) WHERE name = 'events_next';
DROP TABLE events;
ALTER TABLE events_next RENAME TO events;
CREATE INDEX events_workspace ON events (workspace_sid, seq);
CREATE INDEX events_workspace_date ON events (workspace_sid, date_ms);
CREATE INDEX events_task ON events (task_sid) WHERE task_sid IS NOT NULL;
CREATE INDEX events_worker ON events (worker_sid) WHERE worker_sid IS NOT NULL;
