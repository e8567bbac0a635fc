-- Every granted lock on the same object counts as a blocker, whether its mode conflicts or not.
SELECT w.pid AS waiting_pid, h.pid AS blocking_pid, a.query AS blocking_query
FROM pg_locks AS w
JOIN pg_locks AS h
  ON h.granted AND h.pid <> w.pid AND h.locktype = w.locktype
 AND h.database IS NOT DISTINCT FROM w.database AND h.relation IS NOT DISTINCT FROM w.relation
 AND h.page IS NOT DISTINCT FROM w.page AND h.tuple IS NOT DISTINCT FROM w.tuple
 AND h.virtualxid IS NOT DISTINCT FROM w.virtualxid AND h.transactionid IS NOT DISTINCT FROM w.transactionid
 AND h.classid IS NOT DISTINCT FROM w.classid AND h.objid IS NOT DISTINCT FROM w.objid
 AND h.objsubid IS NOT DISTINCT FROM w.objsubid
JOIN pg_stat_activity AS a ON a.pid = h.pid
WHERE NOT w.granted AND a.datname = current_database()
ORDER BY waiting_pid, blocking_pid;
