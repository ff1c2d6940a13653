-- Comments carry their task's workspace and project (a workspace-scoped caller sees only its own workspace's
-- comments): fill them in for the comments made before.
UPDATE ops_comments
SET data = json_set(ops_comments.data, '$.workspace_id', t.workspace_id, '$.project_id', t.project_id)
FROM ops_tasks AS t
WHERE t.task_id = json_extract(ops_comments.data, '$.task_id') AND json_extract(ops_comments.data, '$.workspace_id') IS NULL;
