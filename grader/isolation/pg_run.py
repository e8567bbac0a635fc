"""One grading run's share of a PostgreSQL server: its two login roles, its databases, its watchdog.

Closing it ends every session of the run's roles, drops the run's databases and then the roles, so
nothing a learner started (a background query, an idle transaction) outlives the run.
"""

from __future__ import annotations

import contextlib
import os

from grader.checks.problems import GraderFault
from grader.isolation.pg_watchdog import Watchdog
from grader.isolation.postgres import RUN_PREFIX, PostgresIsolation, RunRole
from grader.isolation.urls import with_database


class PostgresRun:
    def __init__(self, admin_url: str, statement_timeout_ms: int) -> None:
        self.iso = PostgresIsolation(admin_url)
        self.iso.ensure_learner_role()
        self.timeout_ms = statement_timeout_ms
        self.databases: list[str] = []
        self.roles: list[RunRole] = []
        self.watchdog: Watchdog | None = None
        try:
            self.learner = self._role("submission")
            self.reference = self._role("reference")
            self.watchdog = Watchdog(self.iso.admin_url_for(), [r.name for r in self.roles],
                                     f"{RUN_PREFIX}{os.getpid()}_", statement_timeout_ms,
                                     idle_ms=max(statement_timeout_ms * 2, 5000))
            # the checks' own role (not watched: a lock gate holds a transaction open on purpose); like the
            # learner's roles it is no superuser, so learner objects its SQL resolves cannot escalate
            self.checks = self._role("checks")
            self.iso.grant_stats_reading(self.checks)  # checks read other sessions in pg_stat_activity
        except BaseException:
            self.close()
            raise

    def _role(self, purpose: str) -> RunRole:
        role = self.iso.create_run_role(purpose)
        self.roles.append(role)
        return role

    def create_copy(self, template: str | None) -> str:
        name = self.iso.create_copy(template, tuple(r.name for r in self.roles))
        self.databases.append(name)
        return name

    def drop(self, name: str) -> None:
        if name in self.databases:
            self.databases.remove(name)
        self.iso.drop(name)

    def learner_url(self, database: str) -> str:
        return self.iso.learner_url(database, self.timeout_ms, self.learner)

    def reference_url(self, database: str) -> str:
        return self.iso.learner_url(database, self.timeout_ms, self.reference)

    def checks_url(self, database: str) -> str:
        """For a check's own SQL on a learner's database (the app labs' `db` view, lock gates): a normal
        search_path, as a non-superuser, so nothing the learner defined there runs as administrator."""
        return with_database(self.iso.admin_url, database, self.checks.name, self.checks.password)

    def admin_url(self, database: str) -> str:
        return self.iso.admin_url_for(database)

    def repair(self) -> None:
        """Set both roles back (password, settings) after a learner changed theirs."""
        try:
            for role in self.roles:
                self.iso.restore_role(role)
        except GraderFault:
            raise
        except Exception as exc:
            raise GraderFault(f"cannot restore the run's PostgreSQL roles: {exc}") from None

    def close(self) -> None:
        if self.watchdog is not None:
            self.watchdog.stop()
        names = [r.name for r in self.roles]
        with contextlib.suppress(GraderFault):
            if names:
                self.iso.terminate_backends(names)
        with contextlib.suppress(Exception):
            self.iso.drop_all(self.databases)  # side by side: they share the checkpoint each drop forces
        self.databases = []
        for name in names:
            with contextlib.suppress(Exception):
                self.iso.drop_role(name)
        self.roles = []
        self.iso.close()
