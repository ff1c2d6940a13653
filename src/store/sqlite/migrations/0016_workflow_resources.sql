-- The Workflow face's LUSID Workflows and event handlers (issue 19): the generic entity scheme, unique per
-- account by scope/code. Their versions (asAt reads) are events of the account's workflow log stream.
CREATE TABLE wf_workflows (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX wf_workflows_account ON wf_workflows (account_sid, seq);
CREATE TABLE wf_event_handlers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX wf_event_handlers_account ON wf_event_handlers (account_sid, seq);
