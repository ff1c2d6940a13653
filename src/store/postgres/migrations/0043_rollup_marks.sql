-- The per-minute rollups are folded from the events in batches instead of being written with every commit
-- group (storeSchema.ts, "Folds"): per workspace, the position of the last event folded into them. Every event
-- stored so far is in the rollups (written with its group, or by migration 0034), so each workspace's mark
-- starts at its last event.
CREATE TABLE rollup_marks (
  workspace_sid text PRIMARY KEY,
  seq bigint NOT NULL
);
INSERT INTO rollup_marks (workspace_sid, seq)
SELECT workspace_sid, max(seq) FROM events WHERE workspace_sid LIKE 'WS%' GROUP BY workspace_sid;

-- A node of an earlier version, during a rolling upgrade, still writes the rollups of its own groups' events
-- in their transaction. Folded again later, they would count twice. So for any writer of events that does not
-- say it leaves the rollups to folds (a node of this version sets switchboard.rollups = 'folded' on its writer
-- connection), this trigger folds what such nodes left unfolded before the new rows, then moves the mark past
-- the new rows, which their writer rolls up itself.
CREATE FUNCTION sb_rolled_by_writer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  w record;
BEGIN
  FOR w IN SELECT workspace_sid AS ws, min(seq) AS lo, max(seq) AS hi FROM new_events WHERE workspace_sid LIKE 'WS%' GROUP BY workspace_sid LOOP
    INSERT INTO event_minutes AS m (workspace_sid, minute, event_type, workflow_sid, task_queue_sid, task_channel_sid, n, a_sum, a_min, a_max, q_sum, q_min, q_max)
    SELECT workspace_sid, date_ms / 60000, event_type, coalesce(workflow_sid, ''), coalesce(task_queue_sid, ''), coalesce(task_channel_sid, ''), count(*),
      sum(coalesce(task_age, 0)), min(coalesce(task_age, 0)), max(coalesce(task_age, 0)),
      sum(coalesce(task_age_in_queue, 0)), min(coalesce(task_age_in_queue, 0)), max(coalesce(task_age_in_queue, 0))
    FROM events
    WHERE workspace_sid = w.ws AND seq > coalesce((SELECT seq FROM rollup_marks WHERE workspace_sid = w.ws), 0) AND seq < w.lo
    GROUP BY workspace_sid, date_ms / 60000, event_type, coalesce(workflow_sid, ''), coalesce(task_queue_sid, ''), coalesce(task_channel_sid, '')
    ON CONFLICT (workspace_sid, minute, event_type, workflow_sid, task_queue_sid, task_channel_sid) DO UPDATE SET
      n = m.n + excluded.n, a_sum = m.a_sum + excluded.a_sum, a_min = least(m.a_min, excluded.a_min), a_max = greatest(m.a_max, excluded.a_max),
      q_sum = m.q_sum + excluded.q_sum, q_min = least(m.q_min, excluded.q_min), q_max = greatest(m.q_max, excluded.q_max);
    INSERT INTO worker_minutes AS m (workspace_sid, minute, worker_sid, event_type, task_channel_sid, activity_sid, n, a_sum, a_min, a_max, q_sum, q_min, q_max, s_sum, s_min, s_max)
    SELECT workspace_sid, date_ms / 60000, coalesce(worker_sid, ''), event_type, coalesce(task_channel_sid, ''), coalesce(previous_activity_sid, ''), count(*),
      sum(coalesce(task_age, 0)), min(coalesce(task_age, 0)), max(coalesce(task_age, 0)),
      sum(coalesce(task_age_in_queue, 0)), min(coalesce(task_age_in_queue, 0)), max(coalesce(task_age_in_queue, 0)),
      sum(coalesce(previous_activity_ms / 1000, 0)), min(coalesce(previous_activity_ms / 1000, 0)), max(coalesce(previous_activity_ms / 1000, 0))
    FROM events
    WHERE workspace_sid = w.ws AND seq > coalesce((SELECT seq FROM rollup_marks WHERE workspace_sid = w.ws), 0) AND seq < w.lo
      AND (event_type LIKE 'reservation.%' OR (event_type = 'worker.activity.update' AND previous_activity_ms IS NOT NULL))
    GROUP BY workspace_sid, date_ms / 60000, coalesce(worker_sid, ''), event_type, coalesce(task_channel_sid, ''), coalesce(previous_activity_sid, '')
    ON CONFLICT (workspace_sid, minute, worker_sid, event_type, task_channel_sid, activity_sid) DO UPDATE SET
      n = m.n + excluded.n, a_sum = m.a_sum + excluded.a_sum, a_min = least(m.a_min, excluded.a_min), a_max = greatest(m.a_max, excluded.a_max),
      q_sum = m.q_sum + excluded.q_sum, q_min = least(m.q_min, excluded.q_min), q_max = greatest(m.q_max, excluded.q_max),
      s_sum = m.s_sum + excluded.s_sum, s_min = least(m.s_min, excluded.s_min), s_max = greatest(m.s_max, excluded.s_max);
    INSERT INTO rollup_marks AS r (workspace_sid, seq) VALUES (w.ws, w.hi)
    ON CONFLICT (workspace_sid) DO UPDATE SET seq = greatest(r.seq, excluded.seq);
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER events_rolled_by_writer AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT WHEN (current_setting('switchboard.rollups', true) IS DISTINCT FROM 'folded')
  EXECUTE FUNCTION sb_rolled_by_writer();
