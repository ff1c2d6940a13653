-- The Events resource and the cumulative statistics read the log by time window and by the task, worker and
-- reservation an event concerns; these indexes keep those reads to the rows asked for.
CREATE INDEX events_workspace_date ON events (workspace_sid, date_ms);
CREATE INDEX events_task ON events (json_extract(data, '$.eventData.task_sid'));
CREATE INDEX events_worker ON events (json_extract(data, '$.eventData.worker_sid'));
CREATE INDEX events_reservation ON events (json_extract(data, '$.eventData.reservation_sid'));
