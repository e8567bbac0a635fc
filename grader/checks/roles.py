"""Roles a learner's script grants to, and connections as those roles, one set per database copy.

Roles are cluster-wide, but every check runs on its own copy of the lab's database, and parallel
runs share one server. A lab names fixed roles (e.g. `lab_app`) that the learner's script grants
privileges to. The grader creates them, runs the script, then renames them after the copy
(`<copy>_lab_app`): privileges and memberships follow a role's OID, not its name. The fixed names
exist only while one script runs, under a server-wide advisory lock. Checks then log in as the
per-copy roles and try what must work and what must be refused; `close()` drops them.

The learner role never gets CREATEROLE (on PostgreSQL before 16 it could then grant itself
predefined roles such as pg_read_server_files): it receives ADMIN OPTION on these roles only, which
lets its script grant membership in them.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql as pgsql

from grader.checks.problems import GraderFault
from grader.checks.sql import Source, SqlChecker
from grader.isolation.postgres import LEARNER_ROLE
from grader.isolation.urls import learner_password, with_database

MARKER = "backend-labs grader: a lab role, renamed per database copy after the learner's script"
LOCK = "grader_fixed_lab_role_names"
MAINTENANCE_DATABASE = "postgres"


@dataclass(frozen=True)
class LabRole:
    """A role the lab's README names; `login` roles are the ones checks connect as."""

    name: str
    login: bool


class RoleCopy:
    """A fresh copy of the lab's database where `script` ran with the lab's roles present."""

    def __init__(self, sql: SqlChecker, script: str, roles: Sequence[LabRole], source: Source = "submission") -> None:
        self.checker = sql.fresh()
        self.roles = {role.name: role for role in roles}
        self.renamed: dict[str, str] = {}
        self.database = str(self._admin_query("SELECT current_database()")[0][0])
        try:
            self._run_with_fixed_names(script, source)
            self._enable_logins()
        except BaseException:
            self.close()
            raise

    # Set-up -----------------------------------------------------------------------------------
    @contextmanager
    def _admin(self, database: str | None = None) -> Iterator[psycopg.Connection[Any]]:
        url = self.checker.admin_url if database is None else with_database(self.checker.admin_url, database)
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise GraderFault(f"cannot connect to PostgreSQL as administrator: {exc}".strip()) from None
        with conn:
            yield conn

    def _admin_query(self, text: str) -> list[tuple[Any, ...]]:
        with self._admin() as conn:
            return conn.execute(text).fetchall()

    def _run_with_fixed_names(self, script: str, source: Source) -> None:
        # advisory locks belong to one database: the lock is taken in the server's maintenance database,
        # so that runs on different copies (parallel runs, both variants) wait for each other
        with self._admin(MAINTENANCE_DATABASE) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (LOCK,))
            try:
                for role in self.roles.values():
                    self._clear_stale(conn, role.name)
                    conn.execute(pgsql.SQL("CREATE ROLE {} {}").format(
                        pgsql.Identifier(role.name), pgsql.SQL("LOGIN" if role.login else "NOLOGIN")))
                    self.renamed[role.name] = role.name
                    conn.execute(pgsql.SQL("COMMENT ON ROLE {} IS {}").format(
                        pgsql.Identifier(role.name), pgsql.Literal(MARKER)))
                    conn.execute(pgsql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(
                        pgsql.Identifier(role.name), pgsql.Identifier(LEARNER_ROLE)))
                try:
                    self.checker.run(script, source, commit=True)
                finally:
                    for name in list(self.renamed):
                        per_copy = f"{self.database}_{name}"
                        conn.execute(pgsql.SQL("ALTER ROLE {} RENAME TO {}").format(
                            pgsql.Identifier(name), pgsql.Identifier(per_copy)))
                        self.renamed[name] = per_copy
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (LOCK,))

    @staticmethod
    def _clear_stale(conn: psycopg.Connection[Any], name: str) -> None:
        """A fixed name left by a crashed run is renamed out of the way; anyone else's role is never touched."""
        row = conn.execute("SELECT oid, shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = %s",
                           (name,)).fetchone()
        if row is None:
            return
        if row[1] != MARKER:
            raise GraderFault(f"this lab needs a role named {name}, and this server already has one that the "
                              "grader did not create: drop or rename that role, or grade on another server")
        stale = f"grader_stale_{row[0]}"
        conn.execute(pgsql.SQL("ALTER ROLE {} RENAME TO {}").format(pgsql.Identifier(name), pgsql.Identifier(stale)))
        # it may still hold privileges in a database of the crashed run; the name is free again anyway
        with contextlib.suppress(psycopg.Error):
            conn.execute(pgsql.SQL("DROP ROLE {}").format(pgsql.Identifier(stale)))

    def _enable_logins(self) -> None:
        """A password, and CONNECT on this copy only (a run's databases admit no one else)."""
        with self._admin() as conn:
            for name, role in self.roles.items():
                if role.login:
                    ident = pgsql.Identifier(self.renamed[name])
                    conn.execute(pgsql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                        ident, pgsql.Literal(self._password(name))))
                    conn.execute(pgsql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                        pgsql.Identifier(self.database), ident))

    def _password(self, name: str) -> str:
        return learner_password(self.checker.admin_url, purpose=self.renamed[name])

    # Checks -----------------------------------------------------------------------------------
    def as_role(self, name: str) -> SqlChecker:
        """A checker whose 'learner' connections log in as this copy's `name` role (expect_ok, expect_error)."""
        if name not in self.roles or not self.roles[name].login:
            raise GraderFault(f"the check connects as {name}, which is not one of the lab's login roles")
        checker = copy.copy(self.checker)
        checker.learner_url = with_database(
            self.checker.admin_url, self.database, self.renamed[name], self._password(name),
            options=f"-c statement_timeout={self.checker.timeout_ms}",
        )
        return checker

    def new_member(self, group: str, member: str) -> SqlChecker:
        """A login role the checks create and make a member of `group`: does the group carry the privileges?"""
        name = f"{member}"
        self.roles[name] = LabRole(name, login=True)
        self.renamed[name] = f"{self.database}_{name}"
        with self._admin() as conn:
            conn.execute(pgsql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                pgsql.Identifier(self.renamed[name]), pgsql.Identifier(self.renamed[group])))
        self._enable_logins()
        return self.as_role(name)

    def close(self) -> None:
        """Drop this copy's roles (their privileges live in this copy only, so DROP OWNED here frees them)."""
        if not self.renamed:
            return
        with self._admin() as conn:
            for name in reversed(list(self.renamed.values())):
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
                if exists:
                    conn.execute(pgsql.SQL("DROP OWNED BY {}").format(pgsql.Identifier(name)))
                    conn.execute(pgsql.SQL("DROP ROLE {}").format(pgsql.Identifier(name)))
        self.renamed.clear()

    def __enter__(self) -> RoleCopy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
