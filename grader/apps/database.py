"""The database behind a learner's app, as checks see it: a solution is judged by its effect
(the row was written, the state survived a restart), read over an administrator connection on
the grader's side of the boundary."""

from __future__ import annotations

from typing import Any

import psycopg

from grader.checks.problems import GraderFault
from grader.isolation.postgres import LEARNER_ROLE


class AppDatabase:
    def __init__(self, admin_url: str, name: str, server_admin_url: str, role: str = LEARNER_ROLE) -> None:
        self.admin_url = admin_url  # pointed at the run database
        self.name = name
        self.server_admin_url = server_admin_url  # the server's own database, to administer this one
        self.role = role  # the login role the app connects as (a run's own role when graded)

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        try:
            return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise GraderFault(f"cannot reach the app's database: {exc}".strip()) from None

    def rows(self, query: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self._connect() as conn:
            return conn.execute(query, params or None).fetchall()

    def scalar(self, query: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        found = self.rows(query, params)
        return found[0][0] if found else None

    def app_sessions(self) -> int:
        """The app's connections to its database right now, as PostgreSQL counts them (by its login role:
        the tables' owner role is not what its sessions log in as)."""
        return int(self.scalar("SELECT count(*) FROM pg_catalog.pg_stat_activity "
                               "WHERE datname = pg_catalog.current_database() AND usename = %s", (self.role,)))

    def execute(self, query: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> None:
        """For a check's own set-up (e.g. a row another client inserts between two pages)."""
        with self._connect() as conn:
            conn.execute(query, params or None)
