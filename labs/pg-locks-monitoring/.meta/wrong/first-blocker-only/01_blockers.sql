-- Only the first element of pg_blocking_pids: a session with two blockers loses one.
SELECT waiting.pid AS waiting_pid, blocker.pid AS blocking_pid, blocker.query AS blocking_query
FROM pg_stat_activity AS waiting
JOIN pg_stat_activity AS blocker ON blocker.pid = (pg_blocking_pids(waiting.pid))[1]
WHERE waiting.datname = current_database()
ORDER BY waiting_pid, blocking_pid;
