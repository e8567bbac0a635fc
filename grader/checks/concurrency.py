"""Many calls at once, each on its own learner-role connection, optionally released through a gate.

Races are timing-dependent, so a check that merely fires calls together catches a lost update only
sometimes. The gate makes it deterministic: an administrator transaction locks the rows the calls
touch, the calls start and each one runs until it blocks on a lock (or finishes), and only when
every call is waiting does the gate commit. Every unlocked read a call made is then stale, so
read-then-write code loses updates on every run, while code that locks before it reads waits and
then sees the current value. A gate that holds FOR SHARE (rather than FOR UPDATE) blocks the same
writes but lets every shared lock through, so code that reads under FOR SHARE and then updates has
all its contenders holding the shared lock before any asks to upgrade: that deadlock is certain too.
SQL runs on the server; this process only drives connections.

A gate may have several stages, each its own transaction, opened one after another (each once
everything waits again). Opening the accounts one at a time in id order makes a lock-order
deadlock certain: a->b takes a and queues behind b->a, which already waits for b, so when b
opens, b->a takes b and asks for a.
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
class Lock:
    """A statement (run as a non-superuser role) that locks rows,
    e.g. ("SELECT 1 FROM t WHERE id = %s FOR UPDATE", (7,))."""

    statement: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Gate:
    """Locks held while the calls start, released stage by stage, each once every call waits or is done."""

    admin_url: str
    stages: tuple[Lock, ...]
    settle_timeout_s: float = 5.0  # in all: a call that waits on something else cannot stall the run


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
        opening = [pool.submit(_connect, learner_url) for _ in calls]
        failures = [e for f in opening if (e := f.exception()) is not None]
        conns = [f.result() for f in opening if f.exception() is None]
        try:
            if failures:  # after the others are opened, so the finally below closes them
                raise failures[0]
            pids = [c.info.backend_pid for c in conns]
            if gate is None:
                futures = [pool.submit(_execute, conn, call) for conn, call in zip(conns, calls, strict=True)]
                all_waited = True
            else:
                futures, all_waited = _through_gate(pool, conns, pids, calls, gate)
            outcomes = [f.result() for f in futures]
        finally:
            for conn in conns:
                conn.close()
    return Run(outcomes, all_waited, round(time.monotonic() - started, 3))


def _through_gate(pool: ThreadPoolExecutor, conns: list[psycopg.Connection[tuple[Any, ...]]], pids: list[int],
                  calls: Sequence[Call], gate: Gate) -> tuple[list[Future[Outcome]], bool]:
    deadline = time.monotonic() + gate.settle_timeout_s
    holders = [_connect(gate.admin_url) for _ in gate.stages]
    all_waited = True
    try:
        with _connect(gate.admin_url) as watcher:
            for holder, lock in zip(holders, gate.stages, strict=True):
                holder.execute("BEGIN")
                holder.execute(lock.statement, lock.params)
            futures = [pool.submit(_execute, conn, call) for conn, call in zip(conns, calls, strict=True)]
            for holder in holders:
                all_waited = _wait_until_blocked(watcher, pids, futures, deadline) and all_waited
                holder.execute("COMMIT")
    finally:
        for holder in holders:
            holder.close()
    return futures, all_waited


def _wait_until_blocked(watcher: psycopg.Connection[tuple[Any, ...]], pids: list[int],
                        futures: list[Future[Outcome]], deadline: float) -> bool:
    """True once every call is finished or waiting for a lock; False if the deadline came first.

    pg_locks, not pg_stat_activity: a released lock shows as granted at once, while a woken
    backend's wait_event stays stale until it runs, which would open the next stage too early.
    """
    while True:
        rows = watcher.execute("SELECT pid FROM pg_locks WHERE NOT granted AND pid = ANY(%s)", (pids,)).fetchall()
        waiting = {int(r[0]) for r in rows}
        if all(f.done() or pid in waiting for pid, f in zip(pids, futures, strict=True)):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
