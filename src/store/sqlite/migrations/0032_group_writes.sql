-- Number kept in step with the PostgreSQL migrations: 0032 there adds sb_check_write, the check of a
-- conditional update inside a pipelined commit group. SQLite runs its statements one by one and checks them
-- as it goes.
SELECT 1;
