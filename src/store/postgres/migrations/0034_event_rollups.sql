-- Per-minute rollups of the event log (store/storeSchema.ts, "Per-minute rollups"): cumulative statistics read
-- them instead of every event of the window. Written in the same commit as the events from now on; this
-- migration fills them from the TaskRouter workspaces' events already stored, so statistics answer the same before and after.
CREATE TABLE event_minutes (
  workspace_sid text NOT NULL,
  minute bigint NOT NULL,
  event_type text NOT NULL,
  workflow_sid text NOT NULL,
  task_queue_sid text NOT NULL,
  task_channel_sid text NOT NULL,
  n bigint NOT NULL,
  a_sum bigint NOT NULL,
  a_min bigint NOT NULL,
  a_max bigint NOT NULL,
  q_sum bigint NOT NULL,
  q_min bigint NOT NULL,
  q_max bigint NOT NULL,
  PRIMARY KEY (workspace_sid, minute, event_type, workflow_sid, task_queue_sid, task_channel_sid)
) WITH (fillfactor = 50);
CREATE TABLE worker_minutes (
  workspace_sid text NOT NULL,
  minute bigint NOT NULL,
  worker_sid text NOT NULL,
  event_type text NOT NULL,
  task_channel_sid text NOT NULL,
  activity_sid text NOT NULL,
  n bigint NOT NULL,
  a_sum bigint NOT NULL,
  a_min bigint NOT NULL,
  a_max bigint NOT NULL,
  q_sum bigint NOT NULL,
  q_min bigint NOT NULL,
  q_max bigint NOT NULL,
  s_sum bigint NOT NULL,
  s_min bigint NOT NULL,
  s_max bigint NOT NULL,
  PRIMARY KEY (workspace_sid, minute, worker_sid, event_type, task_channel_sid, activity_sid)
) WITH (fillfactor = 50);
-- The current minute's rows are updated by every commit group: room left in each page lets PostgreSQL keep
-- the new row versions on the same page without touching the indexes (HOT updates; no key column changes).
-- A worker's statistics read by (workspace, minute, worker); all workers' by (workspace, minute).
CREATE INDEX worker_minutes_minute ON worker_minutes (workspace_sid, minute);
INSERT INTO event_minutes (workspace_sid, minute, event_type, workflow_sid, task_queue_sid, task_channel_sid, n, a_sum, a_min, a_max, q_sum, q_min, q_max)
SELECT workspace_sid, date_ms / 60000, event_type, coalesce(workflow_sid, ''), coalesce(task_queue_sid, ''), coalesce(task_channel_sid, ''), count(*),
  sum(coalesce(task_age, 0)), min(coalesce(task_age, 0)), max(coalesce(task_age, 0)),
  sum(coalesce(task_age_in_queue, 0)), min(coalesce(task_age_in_queue, 0)), max(coalesce(task_age_in_queue, 0))
FROM events
WHERE workspace_sid LIKE 'WS%'
GROUP BY workspace_sid, date_ms / 60000, event_type, coalesce(workflow_sid, ''), coalesce(task_queue_sid, ''), coalesce(task_channel_sid, '');
INSERT INTO worker_minutes (workspace_sid, minute, worker_sid, event_type, task_channel_sid, activity_sid, n, a_sum, a_min, a_max, q_sum, q_min, q_max, s_sum, s_min, s_max)
SELECT workspace_sid, date_ms / 60000, coalesce(worker_sid, ''), event_type, coalesce(task_channel_sid, ''), coalesce(previous_activity_sid, ''), count(*),
  sum(coalesce(task_age, 0)), min(coalesce(task_age, 0)), max(coalesce(task_age, 0)),
  sum(coalesce(task_age_in_queue, 0)), min(coalesce(task_age_in_queue, 0)), max(coalesce(task_age_in_queue, 0)),
  coalesce(sum(previous_activity_ms / 1000), 0), coalesce(min(previous_activity_ms / 1000), 0), coalesce(max(previous_activity_ms / 1000), 0)
FROM events
WHERE workspace_sid LIKE 'WS%' AND (event_type LIKE 'reservation.%' OR (event_type = 'worker.activity.update' AND previous_activity_ms IS NOT NULL))
GROUP BY workspace_sid, date_ms / 60000, coalesce(worker_sid, ''), event_type, coalesce(task_channel_sid, ''), coalesce(previous_activity_sid, '');
