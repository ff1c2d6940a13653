-- Number kept in step with the PostgreSQL migrations: 0028 there records which node holds which worker's
-- sockets (several nodes); a single SQLite process keeps that in memory.
SELECT 1;
