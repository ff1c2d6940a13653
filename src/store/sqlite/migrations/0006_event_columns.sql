-- The event-log indexes by task, worker and reservation become plain columns filled at insert: an expression
-- index re-parses the event's JSON for every index on every insert, the log's hottest write. The assignment
-- tail reads by (workspace, seq) and filters the type, so its own index goes too.
ALTER TABLE events ADD COLUMN task_sid TEXT;
ALTER TABLE events ADD COLUMN worker_sid TEXT;
ALTER TABLE events ADD COLUMN reservation_sid TEXT;
UPDATE events SET
  task_sid = json_extract(data, '$.eventData.task_sid'),
  worker_sid = json_extract(data, '$.eventData.worker_sid'),
  reservation_sid = json_extract(data, '$.eventData.reservation_sid');
DROP INDEX events_task;
DROP INDEX events_worker;
DROP INDEX events_reservation;
DROP INDEX events_workspace_type;
CREATE INDEX events_task ON events (task_sid);
CREATE INDEX events_worker ON events (worker_sid);
CREATE INDEX events_reservation ON events (reservation_sid);
