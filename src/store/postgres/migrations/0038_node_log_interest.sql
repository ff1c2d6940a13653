-- What each node's commit listeners need of the other nodes' events (core/logInterest.ts, as JSON), so that a
-- node sends a commit's NOTIFY only when another node may need it (store/postgres/interestExchange.ts). NULL:
-- not published (yet), or everything; such a node is always notified.
ALTER TABLE cluster_nodes ADD COLUMN log_interest jsonb;
