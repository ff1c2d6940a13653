-- TaskRouter tasks other faces asked for in a workspace another node routes (several nodes only; on one node
-- they are created at once and this table stays empty).
CREATE TABLE task_route_requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX task_route_requests_workspace ON task_route_requests (workspace_sid, seq);
