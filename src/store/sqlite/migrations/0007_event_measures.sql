-- Cumulative statistics aggregate the event log in SQL: the fields they filter and measure by become columns
-- (filled at insert), so a window is summed without parsing each event's JSON.
ALTER TABLE events ADD COLUMN task_queue_sid TEXT;
ALTER TABLE events ADD COLUMN workflow_sid TEXT;
ALTER TABLE events ADD COLUMN task_channel_sid TEXT;
ALTER TABLE events ADD COLUMN task_age INTEGER;
ALTER TABLE events ADD COLUMN task_age_in_queue INTEGER;
ALTER TABLE events ADD COLUMN previous_activity_sid TEXT;
ALTER TABLE events ADD COLUMN previous_activity_ms INTEGER;
UPDATE events SET
  task_queue_sid = json_extract(data, '$.eventData.task_queue_sid'),
  workflow_sid = json_extract(data, '$.eventData.workflow_sid'),
  task_channel_sid = json_extract(data, '$.eventData.task_channel_sid'),
  task_age = CAST(json_extract(data, '$.eventData.task_age') AS INTEGER),
  task_age_in_queue = CAST(json_extract(data, '$.eventData.task_age_in_queue') AS INTEGER),
  previous_activity_sid = json_extract(data, '$.eventData.worker_previous_activity_sid'),
  previous_activity_ms = CAST(json_extract(data, '$.eventData.worker_time_in_previous_activity_ms') AS INTEGER);
