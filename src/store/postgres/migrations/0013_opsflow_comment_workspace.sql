-- Comments carry their task's workspace and project (a workspace-scoped caller sees only its own workspace's
-- comments): fill them in for the comments made before.
UPDATE ops_comments AS c
SET data = (c.data::jsonb || jsonb_build_object('workspace_id', t.workspace_id, 'project_id', t.project_id))::json
FROM ops_tasks AS t
WHERE t.task_id = c.data->>'task_id' AND c.data->>'workspace_id' IS NULL;
