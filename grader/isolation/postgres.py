"""PostgreSQL isolation: seeded template databases, cheap per-run copies, non-superuser learner roles.

Templates are named by dataset, variant and generator fingerprint, so a warm server keeps them
between runs and rebuilds one only when its generator changed. Copies come from
`CREATE DATABASE … TEMPLATE`, which is a file copy on the server (tens of milliseconds).

Who owns what, so that learner SQL can neither escalate nor outlive its run:
- templates and run databases belong to the administrator; templates take no connections at all,
  a run database only those of its run's roles. A learner cannot `ALTER DATABASE` (settings,
  connection limit, template flag) nor create schemas.
- the tables inside belong to `grader_learner` (NOLOGIN data owner); each grading run logs in as its
  own roles, members of it: one for the submission, one for the reference. Whatever a learner does to
  their role (a password, `ALTER ROLE … SET`) stays in their run, and their backends are found by role.
- every administrator connection pins `search_path` to pg_catalog (then pg_temp), so no name it
  resolves is ever a learner's object.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from grader import pids
from grader.checks.problems import GraderFault
from grader.isolation import scram
from grader.isolation.urls import learner_password, with_database

LEARNER_ROLE = "grader_learner"
RUN_PREFIX = "grader_run_"
ROLE_PREFIX = "grader_r_"
ADMIN_OPTIONS = "-c search_path=pg_catalog,pg_temp"
TEMP_FILE_LIMIT = "64MB"  # superuser-only setting: a learner role cannot lift it
# A closed or terminated session's backend is gone in milliseconds, but DROP DATABASE and RENAME, when
# they find it still there, wait in steps of 100 ms: the grader ends and waits for them itself first.
SESSION_EXIT_WAIT_S = 1.0
SESSION_EXIT_POLL_S = 0.001
MAX_DROPS_AT_ONCE = 8


@dataclass(frozen=True)
class RunRole:
    """A login role for one grading run (submission or reference)."""

    name: str
    password: str


def learner_options(statement_timeout_ms: int) -> str:
    """Limits on every learner connection; a learner may SET them lower or higher in a session, which
    is why the watchdog (isolation/pg_watchdog.py) enforces the same limits from outside. Sessions act
    as the data owner, so what the submission creates the reference's role and the checks can read
    (pg_stat_activity still names the run's login role, which is what the watchdog and clean-up use)."""
    idle = max(statement_timeout_ms * 2, 5000)
    return (f"-c statement_timeout={statement_timeout_ms} -c lock_timeout={statement_timeout_ms} "
            f"-c idle_in_transaction_session_timeout={idle} -c role={LEARNER_ROLE}")


class PostgresIsolation:
    """Administers one server on behalf of grading runs."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.password = learner_password(admin_url)
        # One kept connection to the maintenance database per process and thread: a run makes a dozen
        # administrative calls, and a new backend with a password exchange for each cost more than the
        # calls. Per thread, because a session's advisory locks (template building) are not shared.
        self._kept: dict[tuple[int, int], psycopg.Connection[tuple[object, ...]]] = {}

    @contextlib.contextmanager
    def _admin(self, database: str | None = None) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """An autocommit administrator session: the kept one for the maintenance database, a new one
        (closed after) for any other database."""
        if database is not None:
            with self._connect(database) as conn:
                yield conn
            return
        key = (os.getpid(), threading.get_ident())
        kept = self._kept.get(key)
        if kept is None or kept.closed or kept.broken:
            kept = self._kept[key] = self._connect(None)
        yield kept

    def _connect(self, database: str | None) -> psycopg.Connection[tuple[object, ...]]:
        try:
            return psycopg.connect(self.admin_url_for(database), autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise GraderFault(f"cannot connect to PostgreSQL as administrator: {exc}".strip()) from None

    def __enter__(self) -> PostgresIsolation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close this process's kept sessions (a forked child never closes its parent's: they share the socket)."""
        for key in [k for k in self._kept if k[0] == os.getpid()]:
            with contextlib.suppress(psycopg.Error):
                self._kept.pop(key).close()

    def ensure_learner_role(self) -> None:
        """The data owner (and the playground's login, with a password derived from the server's URL)."""
        with self._admin() as conn:
            conn.execute("SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext('grader_learner_role'))")
            try:
                self._define_learner_role(conn)
            finally:
                conn.execute("SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('grader_learner_role'))")

    def _define_learner_role(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        exists = conn.execute("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", (LEARNER_ROLE,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL("{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD {}"
                    ).format(sql.SQL(verb), sql.Identifier(LEARNER_ROLE), sql.Literal(scram.secret(self.password)))
        )
        # a learner may `ALTER ROLE … SET` their own settings; on a warm server that would leak into later runs
        conn.execute(sql.SQL("ALTER ROLE {} RESET ALL").format(sql.Identifier(LEARNER_ROLE)))
        conn.execute(sql.SQL("ALTER ROLE {} SET temp_file_limit = {}").format(
            sql.Identifier(LEARNER_ROLE), sql.Literal(TEMP_FILE_LIMIT)))

    # Per-run roles ---------------------------------------------------------------------------
    def create_run_role(self, purpose: str) -> RunRole:
        """A login role for one run, member of the data owner; named by this process's pid so that a
        killed run's roles can be found and dropped (drop_leftovers)."""
        role = RunRole(f"{ROLE_PREFIX}{os.getpid()}_{secrets.token_hex(3)}_{purpose[:3]}", secrets.token_hex(16))
        with self._admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
                        "INHERIT CONNECTION LIMIT 64 PASSWORD {} IN ROLE {}").format(
                    sql.Identifier(role.name), sql.Literal(scram.secret(role.password)), sql.Identifier(LEARNER_ROLE))
            )
            conn.execute(sql.SQL("ALTER ROLE {} SET temp_file_limit = {}").format(
                sql.Identifier(role.name), sql.Literal(TEMP_FILE_LIMIT)))
        return role

    def grant_stats_reading(self, role: RunRole) -> None:
        with self._admin() as conn:
            # read other sessions (pg_stat_activity), end the sessions a lock gate holds (a killed worker's)
            conn.execute(sql.SQL("GRANT pg_read_all_stats, pg_signal_backend TO {}").format(sql.Identifier(role.name)))

    def restore_role(self, role: RunRole) -> None:
        """Undo what a learner may do to their own role: a new password, `ALTER ROLE … SET`."""
        with self._admin() as conn:
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role.name),
                                                                     sql.Literal(scram.secret(role.password))))
            conn.execute(sql.SQL("ALTER ROLE {} RESET ALL").format(sql.Identifier(role.name)))
            conn.execute(sql.SQL("ALTER ROLE {} SET temp_file_limit = {}").format(
                sql.Identifier(role.name), sql.Literal(TEMP_FILE_LIMIT)))

    def terminate_backends(self, roles: list[str]) -> int:
        """End every session of these roles (a learner's background query, an idle transaction)."""
        with self._admin() as conn:
            rows = conn.execute(
                "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity "
                "WHERE usename = ANY(%s) AND pid <> pg_catalog.pg_backend_pid()", (roles,)).fetchall()
        return len(rows)

    def drop_role(self, name: str) -> None:
        self.terminate_backends([name])
        with self._admin() as conn:
            try:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
            except psycopg.errors.DependentObjectsStillExist:
                # objects in a database the run did not create (e.g. temp objects being cleaned up): take them
                conn.execute(sql.SQL("REASSIGN OWNED BY {} TO CURRENT_USER").format(sql.Identifier(name)))
                conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))

    # Templates and copies ---------------------------------------------------------------------
    def template(self, dataset: str, variant: str, fingerprint: str, seed_sql: Callable[[], str],
                 extensions: Sequence[str] = ()) -> str:
        """The name of a seeded template for this dataset variant, building it if missing; `seed_sql`
        is called only then (generating a dataset's SQL costs more than finding its template).

        `extensions` (e.g. pg_trgm) are created by the administrator before seeding: the learner
        role may not create extensions, and every copy inherits them from the template.
        """
        name = f"grader_tpl_{dataset.replace('-', '_')}_{variant}_{fingerprint}"
        with self._admin() as conn:
            conn.execute("SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext(%s))", (name,))
            try:
                if conn.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s", (name,)).fetchone() is None:
                    self._build_template(conn, name, seed_sql(), extensions)
                self._close_template(conn, name)
            finally:
                conn.execute("SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext(%s))", (name,))
        return name

    def _build_template(self, conn: psycopg.Connection[tuple[object, ...]], name: str, seed_sql: str,
                        extensions: Sequence[str]) -> None:
        building = f"{name}_building"
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(building)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(building)))
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(building)))
        # the course's seed may create schemas of its own (owned by the data owner, like public); the right
        # to create them is the seed's only: revoked before the database becomes a template
        conn.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(sql.Identifier(building),
                                                                       sql.Identifier(LEARNER_ROLE)))
        try:
            with self._admin(building) as seed:
                seed.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(LEARNER_ROLE)))
                for extension in extensions:
                    seed.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension)))
                # seeded as the data owner, so the learner roles (its members) own the tables in every copy
                seed.execute(sql.SQL("SET ROLE {}; SET search_path = public").format(sql.Identifier(LEARNER_ROLE)))
                seed.execute(seed_sql.encode())
        except psycopg.Error as exc:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(building)))
            raise GraderFault(f"seeding template {name} failed: {exc}") from None
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(sql.Identifier(building),
                                                                       sql.Identifier(LEARNER_ROLE)))
        _end_sessions(conn, [building])  # the seeding session, closed a moment ago
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building), sql.Identifier(name)))

    def _close_template(self, conn: psycopg.Connection[tuple[object, ...]], name: str) -> None:
        """Owned by the administrator, no connections, a template: also for templates an older grader
        left owned by the learner role on a warm server."""
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO CURRENT_USER").format(ident))
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC, {}").format(ident, sql.Identifier(LEARNER_ROLE)))
        conn.execute(sql.SQL("ALTER DATABASE {} RESET ALL").format(ident))
        conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false CONNECTION LIMIT -1"
                             ).format(ident))

    def create_copy(self, template: str | None, roles: tuple[str, ...] = (LEARNER_ROLE,)) -> str:
        """A fresh database for one run (empty when there is no template), owned by the administrator;
        only `roles` may connect to it."""
        name = f"{RUN_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
        ident = sql.Identifier(name)
        with self._admin() as conn:
            source = sql.Identifier(template or "template0")
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(ident, source))
            conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident))
            conn.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                ident, sql.SQL(", ").join(sql.Identifier(r) for r in roles)))
            # sessions act as the data owner (learner_options), whose privilege a temp table needs
            conn.execute(sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(ident, sql.Identifier(LEARNER_ROLE)))
            if template is None:
                with self._admin(name) as fresh:
                    fresh.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(LEARNER_ROLE)))
        return name

    def drop(self, name: str) -> None:
        with self._admin() as conn:
            _end_sessions(conn, [name])
            self._drop_ended(name)

    def drop_all(self, names: Sequence[str]) -> list[str]:
        """Drop `names` side by side; returns those that could not be dropped.

        Every DROP DATABASE forces a checkpoint and waits for it, and drops waiting at the same time
        share one: four databases take ~75 ms one after another and ~20 ms side by side."""
        if len(names) <= 1:
            return [name for name in names if not self._try(self.drop, name)]
        with self._admin() as conn:
            _end_sessions(conn, names)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(names), MAX_DROPS_AT_ONCE), thread_name_prefix="drop") as pool:
            dropped = list(pool.map(lambda name: self._try(self._drop_ended, name), names))
        return [name for name, done in zip(names, dropped, strict=True) if not done]

    def _drop_ended(self, name: str) -> None:
        """DROP DATABASE once its sessions were ended (FORCE ends any that arrived since)."""
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    @staticmethod
    def _try(drop: Callable[[str], None], name: str) -> bool:
        try:
            drop(name)
        except (psycopg.Error, GraderFault):
            return False
        return True

    def drop_leftovers(self) -> list[str]:
        """Per-run databases and roles whose grading process is gone (a crash, a kill -9)."""
        dropped: list[str] = []
        with self._admin() as conn:
            databases = conn.execute("SELECT datname FROM pg_catalog.pg_database WHERE datname LIKE %s",
                                     (RUN_PREFIX + "%",)).fetchall()
            roles = conn.execute("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname LIKE %s",
                                 (ROLE_PREFIX + "%",)).fetchall()
        gone = [str(name) for (name,) in databases if not pids.alive(_owner_pid(str(name), RUN_PREFIX))]
        failed = self.drop_all(gone)
        dropped += [name for name in gone if name not in failed]
        for (name,) in roles:
            if not pids.alive(_owner_pid(str(name), ROLE_PREFIX)):
                self.drop_role(str(name))
                dropped.append(str(name))
        return dropped

    # URLs ---------------------------------------------------------------------------------------
    def learner_url(self, database: str, statement_timeout_ms: int, role: RunRole | None = None) -> str:
        user, password = (role.name, role.password) if role else (LEARNER_ROLE, self.password)
        return with_database(self.admin_url, database, user, password, options=learner_options(statement_timeout_ms))

    def admin_url_for(self, database: str | None = None) -> str:
        """The administrator's URL for a database, its search_path pinned to the system catalog."""
        if database is None:
            database = self.admin_url.split("?")[0].rsplit("/", 1)[-1] or "postgres"
        return with_database(self.admin_url, database, options=ADMIN_OPTIONS)


def _owner_pid(name: str, prefix: str) -> int:
    try:
        return int(name[len(prefix):].split("_")[0])
    except ValueError:
        return 0  # not ours to judge: treated as gone only if pid 0 were dead, which it never is


def _end_sessions(conn: psycopg.Connection[tuple[object, ...]], databases: Sequence[str]) -> None:
    """Terminate the sessions on `databases` and wait (briefly) until their backends are gone."""
    others = "FROM pg_catalog.pg_stat_activity WHERE datname = ANY(%s) AND pid <> pg_catalog.pg_backend_pid()"
    conn.execute("SELECT pg_catalog.pg_terminate_backend(pid) " + others, (list(databases),))
    deadline = time.monotonic() + SESSION_EXIT_WAIT_S
    while conn.execute("SELECT 1 " + others + " LIMIT 1", (list(databases),)).fetchone() is not None:
        if time.monotonic() > deadline:
            return  # DROP DATABASE … WITH (FORCE) waits longer, and says so if it cannot
        time.sleep(SESSION_EXIT_POLL_S)
