-- The Events resource and statistics read the log by time window.
CREATE INDEX events_workspace_date ON events (workspace_sid, date_ms);
