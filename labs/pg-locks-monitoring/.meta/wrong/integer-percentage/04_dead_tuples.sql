-- Task 4: tables carrying dead row versions that only VACUUM reclaims.
SELECT relname,
       n_live_tup,
       n_dead_tup,
       round(100 * n_dead_tup / nullif(n_live_tup + n_dead_tup, 0), 1) AS dead_pct
FROM pg_stat_user_tables
WHERE schemaname = 'public' AND n_dead_tup > 0
ORDER BY n_dead_tup DESC, relname;
