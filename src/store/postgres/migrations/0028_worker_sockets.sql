-- Which node holds sockets of which worker (several nodes). A node writes a row when a worker's first socket
-- opens on it and marks it closed when the last one closes; the node that routes the worker's workspace
-- handles the disconnect (its disconnect activity, pending reservations offered to others) once every row of
-- the worker is closed for the grace period or belongs to a node that died (its heartbeat older than the
-- lease TTL). A node that stops cleanly removes its rows: its workers reconnect elsewhere.
CREATE TABLE worker_sockets (
  worker_sid text NOT NULL,
  node_id text NOT NULL,
  workspace_sid text NOT NULL,
  account_sid text NOT NULL,
  -- 'default' (the workspace's default activity), an activity SID, or NULL (leave the worker as it is)
  offline_activity text,
  opened_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  PRIMARY KEY (worker_sid, node_id)
);
CREATE INDEX worker_sockets_workspace ON worker_sockets (workspace_sid);
CREATE INDEX worker_sockets_node ON worker_sockets (node_id);
