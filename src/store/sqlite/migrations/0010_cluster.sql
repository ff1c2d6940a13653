-- Number kept in step with the PostgreSQL migrations: 0010 there creates the tables of several nodes (leases,
-- forwarded requests), which a single SQLite process does not need.
SELECT 1;
