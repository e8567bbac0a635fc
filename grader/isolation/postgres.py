"""PostgreSQL isolation: seeded template databases, cheap per-run copies, a non-superuser learner role.

Templates are named by dataset, variant and generator fingerprint, so a warm server keeps them
between runs and rebuilds one only when its generator changed. Copies come from
`CREATE DATABASE … TEMPLATE`, which is a file copy on the server (tens of milliseconds).
"""

from __future__ import annotations

import os
import secrets

import psycopg
from psycopg import sql

from grader import pids
from grader.checks.problems import GraderFault
from grader.isolation.urls import learner_password, with_database

LEARNER_ROLE = "grader_learner"
RUN_PREFIX = "grader_run_"


class PostgresIsolation:
    """Administers one server on behalf of grading runs."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.password = learner_password(admin_url)

    def _admin(self, database: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
        url = with_database(self.admin_url, database) if database else self.admin_url
        try:
            return psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise GraderFault(f"cannot connect to PostgreSQL as administrator: {exc}".strip()) from None

    def ensure_learner_role(self) -> None:
        with self._admin() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('grader_learner_role'))")
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (LEARNER_ROLE,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL("{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}").format(
                    sql.SQL(verb), sql.Identifier(LEARNER_ROLE), sql.Literal(self.password)
                )
            )
            # a learner may `ALTER ROLE … SET` their own settings; on a warm server that would leak into later runs
            conn.execute(sql.SQL("ALTER ROLE {} RESET ALL").format(sql.Identifier(LEARNER_ROLE)))
            conn.execute("SELECT pg_advisory_unlock(hashtext('grader_learner_role'))")

    def template(self, dataset: str, variant: str, fingerprint: str, seed_sql: str) -> str:
        """The name of a seeded template for this dataset variant, building it if missing."""
        name = f"grader_tpl_{dataset.replace('-', '_')}_{variant}_{fingerprint}"
        with self._admin() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (name,))
            try:
                if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                    self._build_template(conn, name, seed_sql)
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (name,))
        return name

    def _build_template(self, conn: psycopg.Connection[tuple[object, ...]], name: str, seed_sql: str) -> None:
        building = f"{name}_building"
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(building)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0").format(
                sql.Identifier(building), sql.Identifier(LEARNER_ROLE)
            )
        )
        try:
            with self._admin(building) as seed:
                seed.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(LEARNER_ROLE)))
                # seeded as the learner, so the learner owns the tables in every copy
                seed.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(LEARNER_ROLE)))
                seed.execute(seed_sql.encode())
        except psycopg.Error as exc:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(building)))
            raise GraderFault(f"seeding template {name} failed: {exc}") from None
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building), sql.Identifier(name)))
        conn.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE true").format(sql.Identifier(name)))

    def create_copy(self, template: str | None) -> str:
        """A fresh database for one run (empty when there is no template), owned by the learner role."""
        name = f"{RUN_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
        with self._admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(LEARNER_ROLE), sql.Identifier(template or "template0")
                )
            )
            if template is None:
                with self._admin(name) as fresh:
                    fresh.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(LEARNER_ROLE)))
        return name

    def drop(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def drop_leftovers(self) -> list[str]:
        """Per-run databases whose grading process is gone (a crash, a kill -9)."""
        dropped = []
        with self._admin() as conn:
            rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (RUN_PREFIX + "%",)).fetchall()
        for (name,) in rows:
            pid = int(str(name)[len(RUN_PREFIX):].split("_")[0])
            if not pids.alive(pid):
                self.drop(str(name))
                dropped.append(str(name))
        return dropped

    def learner_url(self, database: str, statement_timeout_ms: int) -> str:
        return with_database(
            self.admin_url, database, LEARNER_ROLE, self.password,
            options=f"-c statement_timeout={statement_timeout_ms}",
        )

    def admin_url_for(self, database: str) -> str:
        return with_database(self.admin_url, database)
