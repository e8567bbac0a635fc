"""A lock gate: the grader holds row locks in an administrator transaction so that a learner's
process stops at a chosen point — the statement that needs those rows — and the check knows
for certain when it got there (PostgreSQL lists the learner's session as blocked by the gate).

This turns races into certainties. Two workers that read a job without locking it both block on
the gate's lock when they try to update it; when the gate opens, both go on with the same stale
read, on every run. A worker that claims a job and then blocks on the job's account is "mid-job"
for sure, which is when a check kills it. See grader/checks/concurrency.py for the same idea
driving SQL calls rather than processes. `send_through_gate` does the same for many HTTP requests to
the learner's app sent at once: check-then-act code in a request handler loses the race every time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg

from grader.checks.problems import GraderFault, SubmissionProblem

if TYPE_CHECKING:
    import httpx

    from grader.apps.client import AppClient
    from grader.apps.database import AppDatabase

POLL_S = 0.02
WAITERS = """
WITH RECURSIVE blocked AS (
    SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))
    UNION
    SELECT a.pid FROM pg_stat_activity a JOIN blocked b ON b.pid = ANY(pg_blocking_pids(a.pid))
)
SELECT pid FROM blocked ORDER BY pid
"""


class LockGate:
    def __init__(self, admin_url: str, locks: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
        """`locks`: statements that lock rows, e.g. ("SELECT 1 FROM jobs WHERE id = %s FOR UPDATE", (7,))."""
        self.admin_url = admin_url
        self.locks = list(locks)
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = None
        self.pid = 0

    def __enter__(self) -> LockGate:
        try:
            self._conn = psycopg.connect(self.admin_url, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise GraderFault(f"the lock gate cannot connect to PostgreSQL: {exc}") from None
        self.pid = int(self._conn.info.backend_pid)
        for statement, params in self.locks:
            self._conn.execute(statement, params)
        return self

    def __exit__(self, *exc: object) -> None:
        self.open()

    def _watch(self) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10)

    def waiters(self) -> list[int]:
        """Backends waiting on the gate, directly or behind another waiter (a second UPDATE of a row
        queues on the first one's tuple lock, not on the gate's)."""
        with self._watch() as conn:
            rows = conn.execute(WAITERS, (self.pid,)).fetchall()
        return [int(row[0]) for row in rows]

    def settle(self, still_running: Callable[[], int], timeout_s: float) -> int:
        """Wait until every process still running waits on the gate (`still_running()` counts the
        calls not yet returned); returns how many wait. Only then is the race certain: a process
        that had not yet reached the gate would otherwise see the state after it opens."""
        deadline = time.monotonic() + timeout_s
        while True:
            running = still_running()
            waiting = len(self.waiters())
            if waiting >= running:
                return waiting
            if time.monotonic() >= deadline:
                raise SubmissionProblem(f"{running - waiting} of your processes neither finished nor waited on the "
                                        f"rows the grader had locked within {timeout_s:g} s: look for an endless "
                                        "loop or a call that waits on something else")
            time.sleep(POLL_S)

    def terminate_waiters(self) -> None:
        """End the sessions waiting on the gate, and wait until they are gone: what the server does
        once it notices that their client process died (a killed worker's session would otherwise
        resume when the gate opens, and a statement it had sent in autocommit mode would commit)."""
        with self._watch() as conn:
            conn.execute(f"SELECT pg_terminate_backend(pid, 5000) FROM ({WAITERS}) AS waiting", (self.pid,))

    def open(self) -> None:
        """Release the locks (the gate's transaction rolls back: it changed nothing)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.rollback()
            finally:
                conn.close()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    options: dict[str, Any] = field(default_factory=dict)  # httpx keyword arguments: json, headers…


def send_through_gate(http: AppClient, db: AppDatabase, requests: Sequence[Request], lock: str,
                      settle_timeout_s: float = 5.0) -> list[httpx.Response]:
    """Send every request at once while `lock` (e.g. `LOCK TABLE public.orders IN EXCLUSIVE MODE`) is
    held; the gate opens once every request waits on it or has been answered, or after
    `settle_timeout_s` (an app that serialises requests in its own process never makes them all wait
    in PostgreSQL, and is merely released later). The responses, in the order of `requests`; a request
    that fails (hangs, the app crashed) raises the client's SubmissionProblem."""
    http.app.ensure_running()
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        with LockGate(db.admin_url, [(lock, ())]) as gate:
            futures: list[Future[httpx.Response]] = [
                pool.submit(http.request, r.method, r.path, **r.options) for r in requests]
            deadline = time.monotonic() + settle_timeout_s
            while time.monotonic() < deadline:
                if sum(f.done() for f in futures) + len(gate.waiters()) >= len(requests):
                    break
                time.sleep(POLL_S)
        return [f.result() for f in futures]
