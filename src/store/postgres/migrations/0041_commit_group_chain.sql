-- A node may send its next commit group while the one before is still being answered (postgresStore.ts): both
-- go down the same writer connection, and PostgreSQL runs them one after the other. The second was built on
-- memory that holds the first's writes, so it must not commit if the first did not. Each group begins with
-- sb_follow_group: it fails unless the session's last committed group is the one the node sent just before
-- (`after`; NULL when nothing was in flight), and records this group's id in the session. A setting changed in
-- a transaction that is rolled back goes back to its earlier value, so a failed group never records itself, and
-- whatever was sent behind it fails here, before any of its writes. Session settings write no WAL.
CREATE FUNCTION sb_follow_group(after bigint, this bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF after IS NOT NULL AND current_setting('sb.commit_group', true) IS DISTINCT FROM after::text THEN
    RAISE EXCEPTION 'commit group % was sent behind group %, which did not commit', this, after USING ERRCODE = 'SB412';
  END IF;
  PERFORM set_config('sb.commit_group', this::text, false);
END $$;
