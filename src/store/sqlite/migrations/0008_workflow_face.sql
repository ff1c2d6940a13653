-- The Workflow face (LUSID-compatible): definitions and their immutable versions, tasks, automated workers,
-- action logs, the outbox of actions waiting to run, and the TaskRouter tasks that RouteToWorkers actions
-- created. Same shape as every entity table; the account is the tenancy key (workspace_sid is null except
-- on routes, which belong to a TaskRouter workspace).
CREATE TABLE wf_definitions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX wf_definitions_account ON wf_definitions (account_sid, seq);
CREATE TABLE wf_definition_versions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX wf_definition_versions_definition ON wf_definition_versions (json_extract(data, '$.definitionSid'));
CREATE TABLE wf_tasks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX wf_tasks_account ON wf_tasks (account_sid, seq);
CREATE INDEX wf_tasks_definition ON wf_tasks (json_extract(data, '$.definitionKey'));
CREATE INDEX wf_tasks_parent ON wf_tasks (json_extract(data, '$.parentId'));
CREATE TABLE wf_workers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX wf_workers_account ON wf_workers (account_sid, seq);
CREATE TABLE wf_action_logs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE TABLE wf_pending_actions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE TABLE wf_routes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX wf_routes_workspace ON wf_routes (workspace_sid, seq);
