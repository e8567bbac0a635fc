-- Task 3: where this database spends its time: the five statements with the largest total time.
-- Wrong: keeps the statements that read pg_stat_statements itself (a dashboard's polling).
SELECT query,
       calls,
       round(total_exec_time::numeric, 2) AS total_ms,
       round(mean_exec_time::numeric, 2)  AS mean_ms
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC
LIMIT 5;
