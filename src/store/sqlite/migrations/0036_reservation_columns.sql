-- A reservation's task and worker in columns of their own (storeSchema.ts KIND_COLUMNS), indexed instead of
-- json_extract over the document: an expression index over `data` was rewritten by every update of the document
-- (two more B-trees, and their WAL pages, per reservation update), while these columns never change after insert.
ALTER TABLE reservations ADD COLUMN task_sid TEXT;
ALTER TABLE reservations ADD COLUMN worker_sid TEXT;
UPDATE reservations SET task_sid = json_extract(data, '$.taskSid'), worker_sid = json_extract(data, '$.workerSid');
DROP INDEX reservations_task;
DROP INDEX reservations_worker;
CREATE INDEX reservations_task ON reservations (task_sid);
CREATE INDEX reservations_worker ON reservations (worker_sid);
