-- The Opsflow face (SpaceONE-compatible boards). Categories, task types, comments and routes use the generic
-- entity scheme. Tasks get real columns: the list and stat queries are translated to SQL over them (filters,
-- ORDER BY, GROUP BY), with indexes for the board's common reads and a covering index for the
-- "per assignee per month" statistics. Dates are epoch milliseconds; `data` holds the custom fields as JSON.
CREATE TABLE ops_categories (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX ops_categories_account ON ops_categories (account_sid, seq);
CREATE TABLE ops_task_types (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX ops_task_types_account ON ops_task_types (account_sid, seq);
CREATE TABLE ops_comments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX ops_comments_task ON ops_comments (json_extract(data, '$.task_id'), seq);
CREATE TABLE ops_routes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX ops_routes_workspace ON ops_routes (workspace_sid, seq);
-- Domains (accounts) as small integers: every task index starts with the domain, and a 1-byte key instead of a
-- 34-character SID halves the index entries that a count or a statistic scans.
CREATE TABLE ops_domains (
  domain_key INTEGER PRIMARY KEY,
  domain_id TEXT NOT NULL UNIQUE
);
CREATE TABLE ops_tasks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL UNIQUE,
  domain_key INTEGER NOT NULL REFERENCES ops_domains (domain_key),
  domain_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  project_id TEXT,
  category_id TEXT NOT NULL,
  task_type_id TEXT NOT NULL,
  name TEXT NOT NULL,
  status_id TEXT NOT NULL,
  status_type TEXT NOT NULL,
  priority TEXT NOT NULL,
  description TEXT,
  assignee TEXT,
  created_by TEXT NOT NULL,
  reference_id TEXT,
  data TEXT NOT NULL,
  files TEXT NOT NULL,
  mentions TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_at INTEGER,
  completed_at INTEGER,
  started_duration INTEGER,
  in_progress_duration INTEGER,
  completed_duration INTEGER,
  -- The creation month, for "per month" statistics: grouping by an indexed value streams in index order
  -- instead of formatting every row's date and sorting the groups.
  created_month TEXT GENERATED ALWAYS AS (strftime('%Y-%m', created_at / 1000, 'unixepoch')) VIRTUAL
);
CREATE INDEX ops_tasks_created ON ops_tasks (domain_key, created_at);
CREATE INDEX ops_tasks_status ON ops_tasks (domain_key, status_type, created_at);
CREATE INDEX ops_tasks_category ON ops_tasks (domain_key, category_id, status_id);
CREATE INDEX ops_tasks_assignee ON ops_tasks (domain_key, assignee, created_at);
CREATE INDEX ops_tasks_assignee_month ON ops_tasks (domain_key, assignee, created_month, status_type, in_progress_duration, completed_duration);
