-- TaskRouter tasks other faces asked for in a workspace another node routes; its owner creates them.
SELECT sb_document_table('task_route_requests');
CREATE INDEX task_route_requests_workspace ON task_route_requests (workspace_sid, seq);
