-- The Opsflow face's variables (opsflow v1 Variable): one document per variable, named uniquely within its
-- domain and workspace (unique_key = account:workspace:name).
CREATE TABLE ops_variables (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sid TEXT NOT NULL UNIQUE,
  account_sid TEXT NOT NULL,
  workspace_sid TEXT,
  unique_key TEXT UNIQUE,
  data TEXT NOT NULL
);
CREATE INDEX ops_variables_account ON ops_variables (account_sid, seq);
