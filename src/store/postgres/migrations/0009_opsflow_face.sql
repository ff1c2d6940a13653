-- The Opsflow face's tables (see the SQLite migration of the same number). Without SQLite's generated month
-- column: "per month" statistics format the creation time per row here.
SELECT sb_document_table(t) FROM unnest(ARRAY['ops_categories', 'ops_task_types', 'ops_comments', 'ops_routes']) AS t;
CREATE INDEX ops_categories_account ON ops_categories (account_sid, seq);
CREATE INDEX ops_task_types_account ON ops_task_types (account_sid, seq);
CREATE INDEX ops_comments_task ON ops_comments ((data->>'task_id'), seq);
CREATE INDEX ops_routes_workspace ON ops_routes (workspace_sid, seq);
CREATE TABLE ops_domains (
  domain_key integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  domain_id text NOT NULL UNIQUE
);
CREATE TABLE ops_tasks (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id text NOT NULL UNIQUE,
  domain_key integer NOT NULL REFERENCES ops_domains (domain_key),
  domain_id text NOT NULL,
  workspace_id text NOT NULL,
  project_id text,
  category_id text NOT NULL,
  task_type_id text NOT NULL,
  name text NOT NULL,
  status_id text NOT NULL,
  status_type text NOT NULL,
  priority text NOT NULL,
  description text,
  assignee text,
  created_by text NOT NULL,
  reference_id text,
  data text NOT NULL,
  files text NOT NULL,
  mentions text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  started_at bigint,
  completed_at bigint,
  started_duration bigint,
  in_progress_duration bigint,
  completed_duration bigint
);
CREATE INDEX ops_tasks_created ON ops_tasks (domain_key, created_at);
CREATE INDEX ops_tasks_status ON ops_tasks (domain_key, status_type, created_at);
CREATE INDEX ops_tasks_assignee ON ops_tasks (domain_key, assignee, created_at);
