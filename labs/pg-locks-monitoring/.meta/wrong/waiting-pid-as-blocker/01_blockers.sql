-- The pid of a lock that is not granted is the session that WAITS, not the one to blame.
SELECT a.pid AS waiting_pid, l.pid AS blocking_pid, a.query AS blocking_query
FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
WHERE NOT l.granted AND a.datname = current_database()
ORDER BY waiting_pid, blocking_pid;
