-- worker_minutes' index on (workspace_sid, minute) repeats the first two columns of its primary key, whose
-- index already answers every query that used it (a workspace's minutes in a range, its oldest minute): it only
-- cost an index insert for every new rollup key, in every commit group with reservation events.
DROP INDEX worker_minutes_minute;
