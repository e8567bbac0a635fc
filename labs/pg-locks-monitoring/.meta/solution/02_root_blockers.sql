-- Task 2: the sessions at the head of the queues: they block others and wait for nobody.
SELECT s.pid,
       s.state,
       (SELECT count(*) FROM pg_stat_activity AS w
        WHERE w.datname = current_database() AND s.pid = ANY (pg_blocking_pids(w.pid))) AS blocked_sessions
FROM pg_stat_activity AS s
WHERE s.datname = current_database()
  AND cardinality(pg_blocking_pids(s.pid)) = 0
  AND EXISTS (SELECT 1 FROM pg_stat_activity AS w
              WHERE w.datname = current_database() AND s.pid = ANY (pg_blocking_pids(w.pid)))
ORDER BY s.pid;
