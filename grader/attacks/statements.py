"""Seeing an injected statement run on the server: a time-based blind SQL injection makes the
database sleep, and PostgreSQL says so in pg_stat_activity (wait_event PgSleep) while it sleeps.
Judged by what the server did, not by how long the answer took, so a loaded machine cannot turn a
safe app into a failing one (or the other way round)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import psycopg

from grader.checks.problems import GraderFault

POLL_S = 0.02
T = TypeVar("T")

SLEEPING = ("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND wait_event = 'PgSleep'")


def slept_during(admin_url: str, database: str, action: Callable[[], T]) -> tuple[T, bool]:
    """Run `action` (one request to the app) and report whether any session on `database` called
    pg_sleep meanwhile. The injected sleep must outlast a few polls (a second is plenty)."""
    try:
        watcher = psycopg.connect(admin_url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise GraderFault(f"cannot watch pg_stat_activity: {exc}") from None
    seen = threading.Event()
    done = threading.Event()

    def watch() -> None:
        with watcher:
            while not done.is_set():
                if (watcher.execute(SLEEPING, (database,)).fetchone() or (0,))[0]:
                    seen.set()
                done.wait(POLL_S)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        result = action()
    finally:
        done.set()
        thread.join(timeout=5)
    return result, seen.is_set()
