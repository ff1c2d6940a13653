-- A reservation's task and worker in columns of their own (storeSchema.ts KIND_COLUMNS), indexed instead of
-- data->>'taskSid' over the document: with an index over `data`, no update of a reservation could be HOT (the
-- indexed value might have changed), so each one added an entry to all five of its indexes. These columns never
-- change after insert, and nothing indexed on tasks changes when a task is updated: with room left on the page
-- (fillfactor 80, for pages written from now on) PostgreSQL updates the row in place of the index entries.
ALTER TABLE reservations ADD COLUMN task_sid text, ADD COLUMN worker_sid text;
UPDATE reservations SET task_sid = data->>'taskSid', worker_sid = data->>'workerSid';
DROP INDEX reservations_task;
DROP INDEX reservations_worker;
CREATE INDEX reservations_task ON reservations (task_sid);
CREATE INDEX reservations_worker ON reservations (worker_sid);
ALTER TABLE reservations SET (fillfactor = 80);
ALTER TABLE tasks SET (fillfactor = 80);
