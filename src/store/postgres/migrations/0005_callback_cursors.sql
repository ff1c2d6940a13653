-- Named cursors into the event log (webhook delivery, route followers), resumed after a restart.
CREATE TABLE cursors (
  name text PRIMARY KEY,
  position bigint NOT NULL
);
