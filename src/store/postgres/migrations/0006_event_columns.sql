-- The event fields looked up by, as plain columns filled at insert.
ALTER TABLE events ADD COLUMN task_sid text, ADD COLUMN worker_sid text, ADD COLUMN reservation_sid text;
CREATE INDEX events_task ON events (task_sid);
CREATE INDEX events_worker ON events (worker_sid);
CREATE INDEX events_reservation ON events (reservation_sid);
