-- Document fields the engine looks up by; the store's filters generate exactly these expressions.
CREATE INDEX reservations_task ON reservations ((data->>'taskSid'));
CREATE INDEX reservations_worker ON reservations ((data->>'workerSid'));
CREATE INDEX worker_channels_worker ON worker_channels ((data->>'workerSid'));
CREATE INDEX worker_channels_task_channel ON worker_channels ((data->>'taskChannelSid'));
CREATE INDEX workers_activity ON workers (workspace_sid, (data->>'activitySid'));
