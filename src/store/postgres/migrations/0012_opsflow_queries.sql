-- Helpers of the Opsflow face's list and stat queries on PostgreSQL (store/opsflowQuery.ts with
-- postgres/opsflowDialect.ts), matching what SQLite does: an array's elements with a scalar as one element and a
-- missing value as none; JSON numbers for sums and averages; a case-insensitive regular expression where a bad
-- pattern matches nothing; a strftime-like format of a date text that is NULL for a text that is no date.
CREATE FUNCTION sb_elements(value jsonb) RETURNS SETOF jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT e FROM jsonb_array_elements(CASE WHEN value IS NULL THEN '[]'::jsonb WHEN jsonb_typeof(value) = 'array' THEN value ELSE jsonb_build_array(value) END) AS e
$$;
CREATE FUNCTION sb_number(value jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(value) = 'number' THEN value::numeric END
$$;
CREATE FUNCTION sb_iregex(value text, pattern text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN value ~* pattern;
EXCEPTION WHEN invalid_regular_expression THEN
  RETURN false;
END $$;
CREATE FUNCTION sb_format_date_text(value text, format text) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN to_char(value::timestamptz AT TIME ZONE 'UTC', format);
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;
-- MAX and MIN over JSON values (PostgreSQL has none for jsonb): jsonb's order, JSON nulls ignored as SQLite
-- ignores the NULLs its json_extract gives for them.
CREATE FUNCTION sb_jsonb_larger(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN b IS NULL OR jsonb_typeof(b) = 'null' THEN a WHEN a IS NULL OR b > a THEN b ELSE a END
$$;
CREATE FUNCTION sb_jsonb_smaller(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN b IS NULL OR jsonb_typeof(b) = 'null' THEN a WHEN a IS NULL OR b < a THEN b ELSE a END
$$;
CREATE AGGREGATE sb_max(jsonb) (SFUNC = sb_jsonb_larger, STYPE = jsonb);
CREATE AGGREGATE sb_min(jsonb) (SFUNC = sb_jsonb_smaller, STYPE = jsonb);
