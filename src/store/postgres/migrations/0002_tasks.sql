-- Tasks and reservations (timers live in the documents, so a restart or a takeover rebuilds them).
SELECT sb_document_table(t) FROM unnest(ARRAY['tasks', 'reservations']) AS t;
CREATE INDEX tasks_workspace ON tasks (workspace_sid, seq);
CREATE INDEX reservations_workspace ON reservations (workspace_sid, seq);
