-- Workflow-face task lists in SQL (store/workflowTaskQuery.ts). The task's fixed paths as generated columns of
-- wf_tasks with indexes for the common filters and sorts, and its field values and correlation ids in
-- wf_task_values, one row each with the forms a filter compares: the JSON type (n number, s string,
-- b boolean), the number (a number, or a string's number), the text, the instant (a string's), the boolean
-- (a boolean, or the string true/false). The store writes a task's rows with the task (computed by
-- store/workflowTaskQuery.ts's taskValueRows: an SQL trigger doing the same cost three times as much per
-- write); deleting a task deletes them (ON DELETE CASCADE). sb_wf_num and sb_wf_ts, the filter language's rules
-- (registered by the store: workflowFunctions.ts), fill them in for the tasks stored before this migration.
ALTER TABLE wf_tasks ADD COLUMN wf_state TEXT GENERATED ALWAYS AS (json_extract(data, '$.state')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_scope TEXT GENERATED ALWAYS AS (json_extract(data, '$.scope')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_code TEXT GENERATED ALWAYS AS (json_extract(data, '$.code')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_stacking_key TEXT GENERATED ALWAYS AS (json_extract(data, '$.stackingKey')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_user_created TEXT GENERATED ALWAYS AS (json_extract(data, '$.version.userIdCreated')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_user_modified TEXT GENERATED ALWAYS AS (json_extract(data, '$.version.userIdModified')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_request_created TEXT GENERATED ALWAYS AS (json_extract(data, '$.version.requestIdCreated')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_request_modified TEXT GENERATED ALWAYS AS (json_extract(data, '$.version.requestIdModified')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_created_ms INTEGER GENERATED ALWAYS AS (json_extract(data, '$.version.asAtCreated')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_modified_ms INTEGER GENERATED ALWAYS AS (json_extract(data, '$.version.asAtModified')) VIRTUAL;
ALTER TABLE wf_tasks ADD COLUMN wf_version_number INTEGER GENERATED ALWAYS AS (json_extract(data, '$.version.asAtVersionNumber')) VIRTUAL;
CREATE INDEX wf_tasks_state ON wf_tasks (account_sid, wf_state, wf_created_ms);
CREATE INDEX wf_tasks_definition_created ON wf_tasks (account_sid, wf_scope, wf_code, wf_created_ms);
CREATE INDEX wf_tasks_created ON wf_tasks (account_sid, wf_created_ms);
CREATE INDEX wf_tasks_modified ON wf_tasks (account_sid, wf_modified_ms);

CREATE TABLE wf_task_values (
  task_sid TEXT NOT NULL REFERENCES wf_tasks (sid) ON DELETE CASCADE,
  account_sid TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  vtype TEXT NOT NULL,
  num REAL,
  txt TEXT,
  ts INTEGER,
  bool INTEGER
);
CREATE INDEX wf_task_values_num ON wf_task_values (account_sid, kind, name, num);
CREATE INDEX wf_task_values_txt ON wf_task_values (account_sid, kind, name, txt);
CREATE INDEX wf_task_values_task ON wf_task_values (task_sid);

-- The tasks stored before this migration.
INSERT INTO wf_task_values (task_sid, account_sid, kind, name, vtype, num, txt, ts, bool)
SELECT t.sid, t.account_sid, 'f', f.key,
  CASE f.type WHEN 'text' THEN 's' WHEN 'true' THEN 'b' WHEN 'false' THEN 'b' ELSE 'n' END,
  CASE f.type WHEN 'text' THEN sb_wf_num(f.value) WHEN 'integer' THEN f.value WHEN 'real' THEN f.value END,
  CASE f.type WHEN 'text' THEN f.value WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END,
  CASE f.type WHEN 'text' THEN sb_wf_ts(f.value) END,
  CASE WHEN f.type = 'true' OR (f.type = 'text' AND f.value = 'true') THEN 1 WHEN f.type = 'false' OR (f.type = 'text' AND f.value = 'false') THEN 0 END
FROM wf_tasks AS t, json_each(t.data, '$.fields') AS f WHERE f.type IN ('text', 'integer', 'real', 'true', 'false');
INSERT INTO wf_task_values (task_sid, account_sid, kind, name, vtype, num, txt, ts, bool)
SELECT t.sid, t.account_sid, 'c', '', 's', sb_wf_num(c.value), c.value, sb_wf_ts(c.value), CASE c.value WHEN 'true' THEN 1 WHEN 'false' THEN 0 END
FROM wf_tasks AS t, json_each(t.data, '$.correlationIds') AS c WHERE c.type = 'text';
