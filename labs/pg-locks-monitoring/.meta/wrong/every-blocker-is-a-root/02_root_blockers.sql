-- Every blocker, including those that are themselves waiting in the middle of a chain.
SELECT s.pid, s.state,
       (SELECT count(*) FROM pg_stat_activity AS w
        WHERE w.datname = current_database() AND s.pid = ANY (pg_blocking_pids(w.pid))) AS blocked_sessions
FROM pg_stat_activity AS s
WHERE s.datname = current_database()
  AND EXISTS (SELECT 1 FROM pg_stat_activity AS w
              WHERE w.datname = current_database() AND s.pid = ANY (pg_blocking_pids(w.pid)))
ORDER BY s.pid;
