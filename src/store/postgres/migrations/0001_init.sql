-- PostgreSQL edition of the SQLite migrations with the same numbers (same tables, columns and indexes; the
-- SQL dialect differs). Every entity kind has its own table: an insertion-ordered `seq` (keyset paging), the
-- SID, the tenancy keys as real columns, an optional store-derived `unique_key`, and the entity as a JSON
-- document (`json`, not `jsonb`: the document is read back byte for byte as it was written).
CREATE FUNCTION sb_document_table(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE %I (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sid text NOT NULL UNIQUE,
    account_sid text NOT NULL,
    workspace_sid text,
    unique_key text UNIQUE,
    data json NOT NULL)', name);
END $$;
SELECT sb_document_table(t) FROM unnest(ARRAY['accounts', 'api_keys', 'workspaces', 'activities', 'task_channels',
  'workers', 'worker_channels', 'task_queues', 'workflows']) AS t;
CREATE INDEX api_keys_account ON api_keys (account_sid, seq);
CREATE INDEX workspaces_account ON workspaces (account_sid, seq);
CREATE INDEX activities_workspace ON activities (workspace_sid, seq);
CREATE INDEX task_channels_workspace ON task_channels (workspace_sid, seq);
CREATE INDEX workers_workspace ON workers (workspace_sid, seq);
CREATE INDEX worker_channels_workspace ON worker_channels (workspace_sid, seq);
CREATE INDEX task_queues_workspace ON task_queues (workspace_sid, seq);
CREATE INDEX workflows_workspace ON workflows (workspace_sid, seq);
-- The durable event log. `tx_id` is the writing transaction: the shared-log tail reads only transactions
-- older than every one still running, so a row committed late with a lower seq is never skipped.
CREATE TABLE events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sid text NOT NULL UNIQUE,
  account_sid text NOT NULL,
  workspace_sid text NOT NULL,
  event_type text NOT NULL,
  resource_sid text NOT NULL,
  date_ms bigint NOT NULL,
  data json NOT NULL,
  tx_id xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX events_workspace ON events (workspace_sid, seq);
CREATE INDEX events_tx ON events (tx_id, seq);
