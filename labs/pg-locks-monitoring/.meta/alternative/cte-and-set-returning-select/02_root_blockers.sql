WITH pairs AS (
    SELECT pid AS waiting_pid, unnest(pg_blocking_pids(pid)) AS blocking_pid
    FROM pg_stat_activity
    WHERE datname = current_database()
)
SELECT p.blocking_pid AS pid, a.state, count(*) AS blocked_sessions
FROM pairs AS p JOIN pg_stat_activity AS a ON a.pid = p.blocking_pid
WHERE p.blocking_pid NOT IN (SELECT waiting_pid FROM pairs)
GROUP BY p.blocking_pid, a.state
ORDER BY pid;
