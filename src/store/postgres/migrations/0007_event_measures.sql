-- The fields cumulative statistics filter and measure by, as columns filled at insert.
ALTER TABLE events ADD COLUMN task_queue_sid text, ADD COLUMN workflow_sid text, ADD COLUMN task_channel_sid text,
  ADD COLUMN task_age bigint, ADD COLUMN task_age_in_queue bigint, ADD COLUMN previous_activity_sid text,
  ADD COLUMN previous_activity_ms bigint;
