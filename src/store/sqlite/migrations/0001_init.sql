-- Every entity kind has its own table: an insertion-ordered `seq` (keyset paging), the SID, the tenancy keys
-- as real columns (every query is scoped by them), an optional `unique_key` that the store derives per kind
-- (case-insensitive worker names, channel unique names), and the entity itself as a JSON document.
CREATE TABLE accounts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE TABLE api_keys (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX api_keys_account ON api_keys (account_sid, seq);
CREATE TABLE workspaces (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX workspaces_account ON workspaces (account_sid, seq);
CREATE TABLE activities (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX activities_workspace ON activities (workspace_sid, seq);
CREATE TABLE task_channels (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX task_channels_workspace ON task_channels (workspace_sid, seq);
CREATE TABLE workers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX workers_workspace ON workers (workspace_sid, seq);
CREATE TABLE worker_channels (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX worker_channels_workspace ON worker_channels (workspace_sid, seq);
CREATE TABLE task_queues (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX task_queues_workspace ON task_queues (workspace_sid, seq);
CREATE TABLE workflows (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX workflows_workspace ON workflows (workspace_sid, seq);
-- The durable event log: every state change is also an event (Events resource, callbacks, statistics).
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT NOT NULL,
  event_type TEXT NOT NULL,
  resource_sid TEXT NOT NULL,
  date_ms INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX events_workspace ON events (workspace_sid, seq);
