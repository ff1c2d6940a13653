-- Tasks and reservations have no unique key (storeSchema.ts uniqueKey, KEYED_KINDS): their unique_key is always
-- NULL, yet the index of its UNIQUE constraint held an entry for every row, so every insert wrote one more
-- B-tree (and one more WAL page per commit group) for nothing. A partial unique index keeps the rule for any key
-- that exists and holds nothing for NULL. A column constraint's index cannot be dropped: the tables are rebuilt
-- (rows, seq values and the AUTOINCREMENT high-water mark as they were).
CREATE TABLE tasks_next (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT,
  data TEXT NOT NULL
);
INSERT INTO tasks_next (seq, sid, account_sid, workspace_sid, unique_key, data)
SELECT seq, sid, account_sid, workspace_sid, unique_key, data FROM tasks ORDER BY seq;
INSERT INTO sqlite_sequence (name, seq) SELECT 'tasks_next', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tasks_next');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0)) WHERE name = 'tasks_next';
DROP TABLE tasks;
ALTER TABLE tasks_next RENAME TO tasks;
CREATE INDEX tasks_workspace ON tasks (workspace_sid, seq);
CREATE UNIQUE INDEX tasks_unique_key ON tasks (unique_key) WHERE unique_key IS NOT NULL;

CREATE TABLE reservations_next (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT,
  data TEXT NOT NULL,
  task_sid TEXT,
  worker_sid TEXT
);
INSERT INTO reservations_next (seq, sid, account_sid, workspace_sid, unique_key, data, task_sid, worker_sid)
SELECT seq, sid, account_sid, workspace_sid, unique_key, data, task_sid, worker_sid FROM reservations ORDER BY seq;
INSERT INTO sqlite_sequence (name, seq) SELECT 'reservations_next', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'reservations_next');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'reservations'), 0)) WHERE name = 'reservations_next';
DROP TABLE reservations;
ALTER TABLE reservations_next RENAME TO reservations;
CREATE INDEX reservations_workspace ON reservations (workspace_sid, seq);
CREATE INDEX reservations_task ON reservations (task_sid);
CREATE INDEX reservations_worker ON reservations (worker_sid);
CREATE UNIQUE INDEX reservations_unique_key ON reservations (unique_key) WHERE unique_key IS NOT NULL;
