"""Faults a check injects into a learner's app, the way Jepsen's nemesis does: kill the whole
process tree at a chosen moment, restart it, or take its database away for a while. Architecture
labs use these to judge what a service does when a part of its world fails."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg
from psycopg import sql

from grader.apps.database import AppDatabase
from grader.apps.running import RunningApp
from grader.checks.problems import GraderFault


def kill(app: RunningApp) -> None:
    """SIGKILL the app and everything it started (setsid escapes included); it stays down until
    `restart(app)` or the next request through the client starts it again."""
    app.kill()


def restart(app: RunningApp) -> None:
    """Stop and start the app in a fresh sandbox: only what it wrote to its database survives."""
    app.restart()


@contextlib.contextmanager
def database_down(db: AppDatabase) -> Iterator[None]:
    """While inside: the app's database refuses new connections and its open ones are cut, as in a
    failover or a network partition; afterwards it accepts connections again."""
    database = db.name
    try:
        admin = psycopg.connect(db.server_admin_url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise GraderFault(f"cannot administer PostgreSQL to take the database down: {exc}") from None
    with admin:
        name = sql.Identifier(database)
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(name))
        try:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
                          (database, db.role))
            yield
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(name))
