WITH pairs AS (
    SELECT pid AS waiting_pid, unnest(pg_blocking_pids(pid)) AS blocking_pid
    FROM pg_stat_activity
    WHERE datname = current_database()
)
SELECT p.waiting_pid, p.blocking_pid, a.query AS blocking_query
FROM pairs AS p JOIN pg_stat_activity AS a ON a.pid = p.blocking_pid
ORDER BY 1, 2;
