"""Limits a learner cannot lift: a thread that watches the run's learner backends from outside.

`statement_timeout`, `lock_timeout` and `idle_in_transaction_session_timeout` are settings any role
may change in its own session (`SET statement_timeout = 0`). The watchdog holds the same limits on
an administrator connection, so an `ALTER`/`SET` changes nothing:
- a statement running longer than the limit (plus a grace) is cancelled, which the learner sees as
  the usual "canceling statement" error;
- a transaction idle longer than the idle limit, or a session in a database that is not one of the
  run's own (the learner role has no business there: e.g. holding the grader's advisory locks in
  `postgres`), is terminated.
"""

from __future__ import annotations

import contextlib
import threading

import psycopg

GRACE_MS = 500
POLL_S = 0.2

WATCH = """
SELECT pid,
       CASE WHEN datname IS NULL OR datname NOT LIKE %(databases)s THEN 'terminate'
            WHEN state = 'active' AND pg_catalog.now() - query_start > %(statement)s * interval '1 ms' THEN 'cancel'
            WHEN state LIKE 'idle in transaction%%'
                 AND pg_catalog.now() - state_change > %(idle)s * interval '1 ms' THEN 'terminate'
       END
FROM pg_catalog.pg_stat_activity
WHERE usename = ANY(%(roles)s) AND pid <> pg_catalog.pg_backend_pid()
"""


class Watchdog:
    def __init__(self, admin_url: str, roles: list[str], database_prefix: str, statement_timeout_ms: int,
                 idle_ms: int) -> None:
        self._conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=10)
        self._params = {"roles": roles, "databases": database_prefix.replace("_", r"\_") + "%",
                        "statement": statement_timeout_ms + GRACE_MS, "idle": idle_ms + GRACE_MS}
        self._stop = threading.Event()
        self.cancelled = 0
        self.terminated = 0
        self._thread = threading.Thread(target=self._watch, name="pg-watchdog", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(POLL_S):
            try:
                self.sweep()
            except psycopg.Error:
                if self._conn.closed:
                    return

    def sweep(self) -> None:
        for pid, action in self._conn.execute(WATCH, self._params).fetchall():
            if action == "cancel":
                self._conn.execute("SELECT pg_catalog.pg_cancel_backend(%s)", (pid,))
                self.cancelled += 1
            elif action == "terminate":
                self._conn.execute("SELECT pg_catalog.pg_terminate_backend(%s)", (pid,))
                self.terminated += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        with contextlib.suppress(psycopg.Error):
            self._conn.close()
