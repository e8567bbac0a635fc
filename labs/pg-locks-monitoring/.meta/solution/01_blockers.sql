-- Task 1: who waits for whom, as PostgreSQL's own lock manager decides it.
SELECT waiting.pid    AS waiting_pid,
       blocker.pid    AS blocking_pid,
       blocker.query  AS blocking_query
FROM pg_stat_activity AS waiting
CROSS JOIN LATERAL unnest(pg_blocking_pids(waiting.pid)) AS b(pid)
JOIN pg_stat_activity AS blocker ON blocker.pid = b.pid
WHERE waiting.datname = current_database()
ORDER BY waiting_pid, blocking_pid;
