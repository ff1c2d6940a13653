-- The URL other nodes reach this node at (cluster/directForwarding.ts): a request for a workspace this node
-- routes is sent to it there directly instead of through forwarded_requests. NULL: not advertised (the node
-- listens on every interface and was given no SWITCHBOARD_NODE_URL, or it was turned off); requests for its
-- workspaces then go through the database.
ALTER TABLE cluster_nodes ADD COLUMN address text;
