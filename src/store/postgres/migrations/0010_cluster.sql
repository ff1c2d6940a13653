-- Several nodes on one database (PostgreSQL only). A node registers itself and renews its heartbeat; exactly
-- one node routes a workspace, the holder of its lease row. Every transaction that writes a workspace's rows
-- first takes that row FOR UPDATE through sb_hold_leases (the fence): it claims a workspace nobody holds,
-- keeps one it holds, and fails for one another node holds, so a node that lost its lease (a long pause, a
-- partition) cannot commit over the new owner, and a takeover waits for the old owner's commit in flight.
CREATE TABLE cluster_nodes (
  node_id text PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  -- false for a node that routes no workspace (it only serves requests and sockets): it takes no share.
  routes_workspaces boolean NOT NULL DEFAULT true
);
CREATE TABLE workspace_leases (
  workspace_sid text PRIMARY KEY,
  node_id text NOT NULL,
  epoch bigint NOT NULL DEFAULT 1,
  expires_at timestamptz NOT NULL
);
CREATE INDEX workspace_leases_node ON workspace_leases (node_id);
CREATE FUNCTION sb_hold_leases(workspaces text[], me text, ttl interval) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ws text;
  holder text;
BEGIN
  FOREACH ws IN ARRAY workspaces LOOP
    SELECT node_id INTO holder FROM workspace_leases WHERE workspace_sid = ws FOR UPDATE;
    IF NOT FOUND THEN
      INSERT INTO workspace_leases (workspace_sid, node_id, expires_at) VALUES (ws, me, now() + ttl);
    ELSIF holder = me THEN
      UPDATE workspace_leases SET expires_at = greatest(expires_at, now() + ttl) WHERE workspace_sid = ws;
    ELSE
      RAISE EXCEPTION 'workspace % is routed by node %, not by %', ws, holder, me USING ERRCODE = 'SB001';
    END IF;
  END LOOP;
END $$;
-- Requests for a workspace that another node routes: the receiving node commits the request here, the owner
-- executes it (LISTEN/NOTIFY wakes it, a poll backs that up) and writes the response back.
CREATE TABLE forwarded_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_sid text NOT NULL,
  request json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  executed_by text,
  response json
);
CREATE INDEX forwarded_requests_pending ON forwarded_requests (workspace_sid, id) WHERE response IS NULL;
