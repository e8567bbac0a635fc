"""Monitoring checks: real lock waits to diagnose, and answers compared with the server "at rest".

A LockScene opens one connection per named session (as the learner role) and plays steps in
order; a step marked `waits` is sent from a thread and the scene goes on only once PostgreSQL
shows that session waiting for a lock (pg_locks.granted = false), so the picture is the same on
every run, however slow the machine. The scene ends by terminating its sessions.

Statistics views (pg_stat_statements, pg_stat_user_tables) move on their own; `at_rest` reads
the expected answer before and after the learner's query and retries until both agree, so a
verdict never depends on when a statistics flush happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import psycopg

from grader.checks.problems import GraderFault
from grader.sqlcompare import ResultSet

CONNECT_TIMEOUT_S = 10
TERMINATE_WAIT_MS = 5000  # how long the scene's end waits for each session to be gone


@dataclass(frozen=True)
class Step:
    session: str
    statement: str
    waits: bool = False  # the statement blocks on a lock: the scene waits until it does


class LockScene:
    """Sessions holding and waiting for locks, kept in place until the `with` block ends."""

    def __init__(self, learner_url: str, admin_url: str, steps: Sequence[Step], settle_timeout_s: float = 15.0) -> None:
        self.learner_url = learner_url
        self.admin_url = admin_url
        self.steps = steps
        self.settle_timeout_s = settle_timeout_s
        self.pids: dict[str, int] = {}
        self._conns: dict[str, psycopg.Connection[tuple[Any, ...]]] = {}
        self._pool = ThreadPoolExecutor(max_workers=max(1, sum(s.waits for s in steps)))
        self._waiting: list[Future[str]] = []

    def __enter__(self) -> LockScene:
        try:
            for step in self.steps:
                self._play(step)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _session(self, name: str) -> psycopg.Connection[tuple[Any, ...]]:
        if name not in self._conns:
            try:
                conn = psycopg.connect(self.learner_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
            except psycopg.OperationalError as exc:
                raise GraderFault(f"cannot open a session for the lock scene: {exc}".strip()) from None
            self._conns[name] = conn
            self.pids[name] = conn.info.backend_pid
        return self._conns[name]

    def _play(self, step: Step) -> None:
        conn = self._session(step.session)
        if not step.waits:
            try:
                conn.execute(step.statement.encode())
            except psycopg.Error as exc:
                raise GraderFault(f"the lock scene's step '{step.statement}' failed: {exc}") from None
            return
        call = self._pool.submit(self._blocked_call, conn, step.statement)
        self._waiting.append(call)
        self._until_waiting(self.pids[step.session], step.statement, call)

    @staticmethod
    def _blocked_call(conn: psycopg.Connection[tuple[Any, ...]], statement: str) -> str:
        """'' when the statement ended normally, else its error (the scene's end terminates it)."""
        try:
            conn.execute(statement.encode())
        except psycopg.Error as exc:
            return str(exc).strip() or type(exc).__name__
        return ""

    def _until_waiting(self, pid: int, statement: str, call: Future[str]) -> None:
        deadline = time.monotonic() + self.settle_timeout_s
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as watcher:
            while True:
                if watcher.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", (pid,)).fetchone():
                    return
                if call.done():
                    ended = f"failed: {call.result()}" if call.result() else "finished without waiting"
                    raise GraderFault(f"the lock scene's step '{statement}' {ended}")
                if time.monotonic() > deadline:
                    raise GraderFault(f"the lock scene's step '{statement}' did not start waiting within "
                                      f"{self.settle_timeout_s:g} s")
                time.sleep(0.01)

    def close(self) -> None:
        """Terminate every session of the scene (their transactions roll back), then wait for the threads.
        Sessions that block nobody go first, each gone before the next: were a holder to end first, a
        statement waiting for its lock could complete (and, outside a transaction, commit) before its own end."""
        if self.pids:
            try:
                with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as admin:
                    remaining = set(self.pids.values())
                    while remaining:
                        rows = admin.execute("SELECT pg_blocking_pids(pid) FROM unnest(%s::int[]) AS pid",
                                             (sorted(remaining),)).fetchall()
                        blocking = {pid for (pids,) in rows for pid in pids}
                        last = sorted(remaining - blocking) or sorted(remaining)  # a deadlock cycle: any order
                        for pid in last:
                            admin.execute("SELECT pg_terminate_backend(%s, %s)", (pid, TERMINATE_WAIT_MS))
                        remaining -= set(last)
            except psycopg.Error:
                pass  # the sessions end with their connections below
        for conn in self._conns.values():
            conn.close()
        self._pool.shutdown(wait=True)
        self._conns.clear()
        self.pids.clear()


def at_rest(expected: Callable[[], ResultSet], actual: Callable[[], ResultSet],
            tries: int = 5) -> tuple[ResultSet, ResultSet]:
    """(expected, actual) from a moment when the expected answer did not change around the learner's query."""
    for _ in range(tries):
        before = expected()
        got = actual()
        after = expected()
        if before == after:
            return after, got
        time.sleep(0.2)
    raise GraderFault(f"the server's statistics kept changing while the check read them ({tries} tries)")


def wait_for(probe: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    """Poll until `probe()` is true (e.g. statistics flushed); a grader fault if it never is."""
    deadline = time.monotonic() + timeout_s
    while not probe():
        if time.monotonic() > deadline:
            raise GraderFault(f"{what} did not happen within {timeout_s:g} s")
        time.sleep(0.05)


def install_statement_statistics(admin_url: str) -> None:
    """pg_stat_statements in a fresh copy, created by the administrator (a learner role may not create it)
    before any learner SQL ran there; named into public, as the admin's search_path is the catalog only."""
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public")
    except psycopg.Error as exc:
        raise GraderFault(f"cannot create pg_stat_statements: {exc}".strip()) from None
