-- Indexes on the document fields the engine and the realtime gateway look up by: a task's reservations (every
-- task event finds the workers holding it), a worker's reservations and channels, a worker channel by task
-- channel. SQLite uses an expression index when the query repeats the same json_extract expression, which is
-- exactly what the store's filters generate.
CREATE INDEX reservations_task ON reservations (json_extract(data, '$.taskSid'));
CREATE INDEX reservations_worker ON reservations (json_extract(data, '$.workerSid'));
CREATE INDEX worker_channels_worker ON worker_channels (json_extract(data, '$.workerSid'));
CREATE INDEX worker_channels_task_channel ON worker_channels (json_extract(data, '$.taskChannelSid'));
CREATE INDEX workers_activity ON workers (workspace_sid, json_extract(data, '$.activitySid'));
