-- The Workflow face's tables (see the SQLite migration of the same number).
SELECT sb_document_table(t) FROM unnest(ARRAY['wf_definitions', 'wf_definition_versions', 'wf_tasks', 'wf_workers',
  'wf_action_logs', 'wf_pending_actions', 'wf_routes']) AS t;
CREATE INDEX wf_definitions_account ON wf_definitions (account_sid, seq);
CREATE INDEX wf_definition_versions_definition ON wf_definition_versions ((data->>'definitionSid'));
CREATE INDEX wf_tasks_account ON wf_tasks (account_sid, seq);
CREATE INDEX wf_tasks_definition ON wf_tasks ((data->>'definitionKey'));
CREATE INDEX wf_tasks_parent ON wf_tasks ((data->>'parentId'));
CREATE INDEX wf_workers_account ON wf_workers (account_sid, seq);
CREATE INDEX wf_routes_workspace ON wf_routes (workspace_sid, seq);
