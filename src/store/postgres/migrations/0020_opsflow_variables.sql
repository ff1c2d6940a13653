-- The Opsflow face's variables (see the SQLite migration of the same number).
SELECT sb_document_table('ops_variables');
CREATE INDEX ops_variables_account ON ops_variables (account_sid, seq);
