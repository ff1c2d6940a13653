-- The event log keeps only the indexes a query needs (see SQLite's 0033): no unique index on the sid (an event
-- is found through its workspace and the time its sid carries), no reservation index, and partial task and
-- worker indexes.
ALTER TABLE events DROP CONSTRAINT events_sid_key;
DROP INDEX events_reservation;
DROP INDEX events_task;
DROP INDEX events_worker;
CREATE INDEX events_task ON events (task_sid) WHERE task_sid IS NOT NULL;
CREATE INDEX events_worker ON events (worker_sid) WHERE worker_sid IS NOT NULL;
