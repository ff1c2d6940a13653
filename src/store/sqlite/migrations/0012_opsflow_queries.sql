-- Number kept in step with the PostgreSQL migrations: 0012 there adds the helper functions of the Opsflow
-- queries, which SQLite registers from code (sqliteStore.ts).
SELECT 1;
