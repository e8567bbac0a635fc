"""Many calls at once, each on its own learner-role connection, optionally released through a gate.

Races are timing-dependent, so a check that merely fires calls together catches a lost update only
sometimes. The gate makes it deterministic: an administrator transaction locks the rows the calls
touch, the calls start and each one runs until it blocks on a lock (or finishes), and only when
every call is waiting does the gate commit. Every unlocked read a call made is then stale, so
read-then-write code loses updates on every run, while code that locks before it reads waits and
then sees the current value. SQL runs on the server; this process only drives connections.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg

from grader.checks.problems import GraderFault

CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class Call:
    """One statement to run as the learner, e.g. ("SELECT transfer(%s, %s, %s)", (1, 2, Decimal(5)))."""

    statement: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Gate:
    """An administrator statement that locks what the calls will touch, held until they all wait."""

    admin_url: str
    lock_statement: str
    params: tuple[Any, ...] = ()
    settle_timeout_s: float = 5.0


@dataclass(frozen=True)
class Outcome:
    """How one call ended: its first value, or the error PostgreSQL raised."""

    call: Call
    value: Any = None
    sqlstate: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Run:
    outcomes: list[Outcome]
    all_waited: bool  # with a gate: every call was blocked (or done) before the gate opened
    seconds: float

    def errors(self, sqlstate: str | None = None) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and (sqlstate is None or o.sqlstate == sqlstate)]


def _connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.OperationalError as exc:
        raise GraderFault(f"cannot open a connection for a concurrent call: {exc}".strip()) from None


def _execute(conn: psycopg.Connection[tuple[Any, ...]], call: Call) -> Outcome:
    try:
        with conn.cursor() as cursor:
            cursor.execute(call.statement, call.params)
            row = cursor.fetchone() if cursor.description is not None else None
        return Outcome(call, value=row[0] if row else None)
    except psycopg.Error as exc:
        diag = exc.diag
        return Outcome(call, sqlstate=diag.sqlstate, error=diag.message_primary or str(exc).strip())


def run_concurrently(learner_url: str, calls: Sequence[Call], gate: Gate | None = None) -> Run:
    """Run every call on its own autocommit connection, all at once; outcomes in the order of `calls`."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, len(calls))) as pool:
        conns = list(pool.map(lambda _: _connect(learner_url), calls))
        try:
            pids = [c.info.backend_pid for c in conns]
            if gate is None:
                futures = [pool.submit(_execute, conn, call) for conn, call in zip(conns, calls, strict=True)]
                all_waited = True
            else:
                with _connect(gate.admin_url) as holder, _connect(gate.admin_url) as watcher:
                    holder.execute("BEGIN")
                    holder.execute(gate.lock_statement, gate.params)
                    futures = [pool.submit(_execute, conn, call) for conn, call in zip(conns, calls, strict=True)]
                    all_waited = _wait_until_blocked(watcher, pids, futures, gate.settle_timeout_s)
                    holder.execute("COMMIT")
            outcomes = [f.result() for f in futures]
        finally:
            for conn in conns:
                conn.close()
    return Run(outcomes, all_waited, round(time.monotonic() - started, 3))


def _wait_until_blocked(watcher: psycopg.Connection[tuple[Any, ...]], pids: list[int],
                        futures: list[Future[Outcome]], timeout_s: float) -> bool:
    """True once every call is finished or waiting for a lock; False if the timeout came first."""
    deadline = time.monotonic() + timeout_s
    while True:
        rows = watcher.execute(
            "SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s) AND wait_event_type = 'Lock'", (pids,)
        ).fetchall()
        waiting = {int(r[0]) for r in rows}
        if all(f.done() or pid in waiting for pid, f in zip(pids, futures, strict=True)):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
