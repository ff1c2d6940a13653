-- How many commit groups the command-line tools (stores that do not route) have made to this file. The server
-- reads it to know when accounts and keys changed under it (sqliteStore.ts, externalChanges): PRAGMA
-- data_version cannot say, since it also changes with every commit of the server's own writer thread.
-- (IF NOT EXISTS: the tests that rebuild an older layout set user_version back without dropping this table.)
CREATE TABLE IF NOT EXISTS external_commits (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT OR IGNORE INTO external_commits (id, n) VALUES (1, 0);
