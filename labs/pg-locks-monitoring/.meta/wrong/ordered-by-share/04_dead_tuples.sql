-- Orders by the dead share instead of the number of dead tuples: the table with the most dead
-- tuples (orders, a quarter of its versions dead) comes after one with fewer but a larger share.
SELECT relname,
       n_live_tup,
       n_dead_tup,
       round(100.0 * n_dead_tup / nullif(n_live_tup + n_dead_tup, 0), 1) AS dead_pct
FROM pg_stat_user_tables
WHERE schemaname = 'public' AND n_dead_tup > 0
ORDER BY dead_pct DESC, relname;
