-- Workflow-face task lists in SQL (see the SQLite migration of the same number). sb_wf_num and sb_wf_ts follow
-- the filter language's rules (workflow/filter/filterValues.ts): plain decimal notation is a number; an ISO
-- 8601 date or date-time with valid components is an instant (UTC without an offset, milliseconds kept).
-- Texts compare and sort by code point: their indexes use the "C" collation, as the queries do.
CREATE FUNCTION sb_wf_num(t text) RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF t IS NULL OR t !~ '^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$' THEN RETURN NULL; END IF;
  RETURN t::double precision;
EXCEPTION WHEN numeric_value_out_of_range OR invalid_text_representation THEN
  RETURN NULL;
END $$;

CREATE FUNCTION sb_wf_ts(t text) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  p text[];
  ms bigint;
  off bigint := 0;
BEGIN
  IF t IS NULL THEN RETURN NULL; END IF;
  p := regexp_match(t, '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(?:(Z)|([+-])([0-9]{2}):?([0-9]{2}))?)?$');
  IF p IS NULL THEN RETURN NULL; END IF;
  IF coalesce(p[4], '0')::int > 23 OR coalesce(p[5], '0')::int > 59 OR coalesce(p[6], '0')::int > 59 THEN RETURN NULL; END IF;
  IF p[9] IS NOT NULL THEN
    IF p[10]::int > 23 OR p[11]::int > 59 THEN RETURN NULL; END IF;
    off := (CASE WHEN p[9] = '-' THEN -1 ELSE 1 END) * (p[10]::int * 60 + p[11]::int) * 60000;
  END IF;
  ms := (extract(epoch FROM make_timestamptz(p[1]::int, p[2]::int, p[3]::int, coalesce(p[4], '0')::int, coalesce(p[5], '0')::int, coalesce(p[6], '0')::int, 'UTC')) * 1000)::bigint
    + coalesce(rpad(left(p[7], 3), 3, '0')::int, 0);
  RETURN ms - off;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format OR numeric_value_out_of_range THEN
  RETURN NULL;
END $$;

ALTER TABLE wf_tasks
  ADD COLUMN wf_state text GENERATED ALWAYS AS (data->>'state') STORED,
  ADD COLUMN wf_scope text GENERATED ALWAYS AS (data->>'scope') STORED,
  ADD COLUMN wf_code text GENERATED ALWAYS AS (data->>'code') STORED,
  ADD COLUMN wf_stacking_key text GENERATED ALWAYS AS (data->>'stackingKey') STORED,
  ADD COLUMN wf_user_created text GENERATED ALWAYS AS (data->'version'->>'userIdCreated') STORED,
  ADD COLUMN wf_user_modified text GENERATED ALWAYS AS (data->'version'->>'userIdModified') STORED,
  ADD COLUMN wf_request_created text GENERATED ALWAYS AS (data->'version'->>'requestIdCreated') STORED,
  ADD COLUMN wf_request_modified text GENERATED ALWAYS AS (data->'version'->>'requestIdModified') STORED,
  ADD COLUMN wf_created_ms bigint GENERATED ALWAYS AS ((data->'version'->>'asAtCreated')::bigint) STORED,
  ADD COLUMN wf_modified_ms bigint GENERATED ALWAYS AS ((data->'version'->>'asAtModified')::bigint) STORED,
  ADD COLUMN wf_version_number bigint GENERATED ALWAYS AS ((data->'version'->>'asAtVersionNumber')::bigint) STORED;
CREATE INDEX wf_tasks_state ON wf_tasks (account_sid, wf_state COLLATE "C", wf_created_ms);
CREATE INDEX wf_tasks_definition_created ON wf_tasks (account_sid, wf_scope COLLATE "C", wf_code COLLATE "C", wf_created_ms);
CREATE INDEX wf_tasks_created ON wf_tasks (account_sid, wf_created_ms);
CREATE INDEX wf_tasks_modified ON wf_tasks (account_sid, wf_modified_ms);

CREATE TABLE wf_task_values (
  task_sid text NOT NULL REFERENCES wf_tasks (sid) ON DELETE CASCADE,
  account_sid text NOT NULL,
  kind text NOT NULL,
  name text NOT NULL,
  vtype text NOT NULL,
  num double precision,
  txt text COLLATE "C",
  ts bigint,
  bool integer
);
CREATE INDEX wf_task_values_num ON wf_task_values (account_sid, kind, name, num);
CREATE INDEX wf_task_values_txt ON wf_task_values (account_sid, kind, name, txt);
CREATE INDEX wf_task_values_task ON wf_task_values (task_sid);

-- The rows of one task (NEW on insert and update; the old rows go first on update).
CREATE FUNCTION sb_wf_task_values() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN DELETE FROM wf_task_values WHERE task_sid = OLD.sid; END IF;
  INSERT INTO wf_task_values (task_sid, account_sid, kind, name, vtype, num, txt, ts, bool)
  SELECT NEW.sid, NEW.account_sid, 'f', f.key,
    CASE json_typeof(f.value) WHEN 'string' THEN 's' WHEN 'boolean' THEN 'b' ELSE 'n' END,
    CASE json_typeof(f.value) WHEN 'string' THEN sb_wf_num(f.value #>> '{}') WHEN 'number' THEN (f.value #>> '{}')::double precision END,
    CASE WHEN json_typeof(f.value) IN ('string', 'boolean') THEN f.value #>> '{}' END,
    CASE WHEN json_typeof(f.value) = 'string' THEN sb_wf_ts(f.value #>> '{}') END,
    CASE WHEN json_typeof(f.value) IN ('string', 'boolean') AND f.value #>> '{}' = 'true' THEN 1 WHEN json_typeof(f.value) IN ('string', 'boolean') AND f.value #>> '{}' = 'false' THEN 0 END
  FROM json_each(NEW.data -> 'fields') AS f WHERE json_typeof(f.value) IN ('string', 'number', 'boolean');
  INSERT INTO wf_task_values (task_sid, account_sid, kind, name, vtype, num, txt, ts, bool)
  SELECT NEW.sid, NEW.account_sid, 'c', '', 's', sb_wf_num(c.value), c.value, sb_wf_ts(c.value), CASE c.value WHEN 'true' THEN 1 WHEN 'false' THEN 0 END
  FROM json_array_elements_text(CASE WHEN json_typeof(NEW.data -> 'correlationIds') = 'array' THEN NEW.data -> 'correlationIds' ELSE '[]'::json END) AS c(value);
  RETURN NULL;
END $$;
CREATE TRIGGER wf_task_values_write AFTER INSERT OR UPDATE OF data ON wf_tasks FOR EACH ROW EXECUTE FUNCTION sb_wf_task_values();

-- The tasks stored before this migration: an update of each row runs the trigger.
UPDATE wf_tasks SET data = data;
