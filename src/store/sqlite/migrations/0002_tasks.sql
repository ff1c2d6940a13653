-- Tasks and reservations, with the same document layout as the configuration tables. Their timers
-- (TTL, step deadline, reservation timeout, cleanup) live in the documents, so a restart rebuilds them.
CREATE TABLE tasks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX tasks_workspace ON tasks (workspace_sid, seq);
CREATE TABLE reservations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX reservations_workspace ON reservations (workspace_sid, seq);
