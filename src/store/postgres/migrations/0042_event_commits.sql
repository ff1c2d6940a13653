-- One row per transaction that wrote events: its id and the log streams (workspaces), event types and accounts
-- its events belong to, what its NOTIFY names (sharedLog.ts). A node's log reader went through every event
-- committed since its last read, its own and every other node's, to find the few it needs: each event was read
-- once by every node (pg_stat_statements over bench:cluster's window: 31 µs of PostgreSQL's time per lifecycle
-- with one node, 112 with three, 15% of its statement time, and more with every node added). The reader now
-- goes through these rows (one per commit group, ~40 events) and reads the events of the transactions that may
-- hold something it needs. A node writes its groups' rows itself, with the lists it already has for the NOTIFY,
-- and its writer connection turns the trigger below off (switchboard.event_commits = 'written'): the trigger is
-- there for every other writer of events, a node of an earlier version during a rolling upgrade included. The
-- trigger costs PostgreSQL about 60 to 90 µs a group (its transition table and aggregates), the node's own
-- INSERT 27 to 38 µs (pg_stat_statements), against a group's ~650 µs of event inserts. Rows are pruned once
-- their events are gone (PostgresStore.pruneLogRows). Events written before this migration have none: a reader
-- starts at the horizon when its node starts, after the migrations, and never reads them.
CREATE TABLE event_commits (
  tx_id xid8 PRIMARY KEY,
  streams text[] NOT NULL,
  types text[] NOT NULL,
  accounts text[] NOT NULL
);

CREATE FUNCTION sb_event_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A transaction may insert its events in several statements (a large group is inserted in batches).
  INSERT INTO event_commits AS c (tx_id, streams, types, accounts)
    SELECT pg_current_xact_id(), array_agg(DISTINCT workspace_sid), array_agg(DISTINCT event_type), array_agg(DISTINCT account_sid)
    FROM new_events HAVING count(*) > 0
  ON CONFLICT (tx_id) DO UPDATE SET
    streams = ARRAY(SELECT DISTINCT unnest(c.streams || excluded.streams)),
    types = ARRAY(SELECT DISTINCT unnest(c.types || excluded.types)),
    accounts = ARRAY(SELECT DISTINCT unnest(c.accounts || excluded.accounts));
  RETURN NULL;
END $$;

CREATE TRIGGER events_commit AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT WHEN (current_setting('switchboard.event_commits', true) IS DISTINCT FROM 'written')
  EXECUTE FUNCTION sb_event_commit();
