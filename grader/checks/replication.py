"""Logical replication between two databases of the grading server, driven by the grader.

Why two databases of one server: it works on every backend (local, docker, url) without a second
server, and both ends are the real thing (walsender, pgoutput, apply worker). One catch:
CREATE SUBSCRIPTION that creates its slot on the same server waits for itself (the slot waits for
running transactions, its own included), so the grader creates the slot first with
pg_create_logical_replication_slot and subscribes WITH (create_slot = false). The subscription is
created as administrator (PostgreSQL 15 allows only superusers to), connecting back to the server
at the address the server itself sees (inet_server_addr/port), which also holds inside a container.

Waiting is on the server's own progress markers, never on a sleep: the initial copy is done when
every table of the subscription is 'r' (ready) in pg_subscription_rel, later changes have arrived
when the slot's confirmed_flush_lsn passed the publisher's WAL insert position after them. A stalled
apply worker shows up as a growing error count in pg_stat_subscription_stats.
"""

from __future__ import annotations

import secrets
import time
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql as pgsql

from grader.checks import pg_server
from grader.checks.problems import GraderFault, SubmissionProblem
from grader.checks.sql import SqlChecker
from grader.isolation.postgres import LEARNER_ROLE

WAIT_TIMEOUT_S = 60.0
STALLED = ("the subscription's apply worker keeps failing (the server log says why): on the subscriber, a "
           "published column that the table lacks, a column type that cannot hold the value, or a row "
           "with the same key already there")


GUARD = """
CREATE SCHEMA grader_guard;
CREATE FUNCTION grader_guard.publications_only() RETURNS event_trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION '% is not allowed in the grader''s databases', tg_tag USING ERRCODE = '42501';
    END IF;
END $$;
CREATE EVENT TRIGGER grader_publications_only ON ddl_command_start WHEN TAG IN ('CREATE SCHEMA', 'CREATE EXTENSION')
EXECUTE FUNCTION grader_guard.publications_only();
"""


def publisher(sql: SqlChecker) -> SqlChecker:
    """A fresh copy where the learner's SQL may CREATE PUBLICATION. That takes CREATE on the database, which
    would also let it create schemas (one named after the reference's role would change what the checks
    read) and trusted extensions: an event trigger of the administrator refuses both to anyone but a
    superuser. The copy is the run's, dropped with it."""
    copy = sql.fresh()
    database = urlsplit(copy.admin_url).path.lstrip("/")
    try:
        with _connect(copy.admin_url) as conn:
            conn.execute(GUARD.encode())
            conn.execute(pgsql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(
                pgsql.Identifier(database), pgsql.Identifier(LEARNER_ROLE)))
    except psycopg.Error as exc:
        raise GraderFault(f"cannot prepare the publisher database: {exc}") from None
    return copy


def _connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise GraderFault(f"cannot connect as administrator: {exc}".strip()) from None


def conninfo(admin_url: str, database: str) -> str:
    """A libpq connection string to `database` as the administrator, from the server's own point of view."""
    parts = urlsplit(admin_url)
    with _connect(admin_url) as conn:
        row = conn.execute("SELECT host(inet_server_addr()), inet_server_port()").fetchone()
    host, port = (row[0], row[1]) if row and row[0] else ("127.0.0.1", parts.port or 5432)
    values = {"host": host, "port": str(port), "dbname": database, "user": unquote(parts.username or ""),
              "password": unquote(parts.password or "")}
    return " ".join(f"{key}='{value.replace(chr(92), chr(92) * 2).replace(chr(39), chr(92) + chr(39))}'"
                    for key, value in values.items())


class Subscription:
    """A subscription in `subscriber_admin_url`'s database to `publication` in the publisher's, removed
    (with its slot) when the `with` block ends."""

    def __init__(self, publisher_admin_url: str, subscriber_admin_url: str, publication: str) -> None:
        self.publisher = publisher_admin_url
        self.subscriber = subscriber_admin_url
        self.publication = publication
        self.name = f"grader_sub_{secrets.token_hex(4)}"
        self._created = False

    def __enter__(self) -> Subscription:
        pg_server.require_setting(self.publisher, "wal_level", "logical",
                                  "logical replication decodes the write-ahead log")
        database = urlsplit(self.publisher).path.lstrip("/")
        with _connect(self.publisher) as pub:
            if pub.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (self.publication,)).fetchone() is None:
                raise SubmissionProblem(f"the publisher database has no publication named {self.publication}")
            pub.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (self.name,))
        try:
            with _connect(self.subscriber) as sub:
                sub.execute(pgsql.SQL(
                    "CREATE SUBSCRIPTION {} CONNECTION {} PUBLICATION {} "
                    "WITH (create_slot = false, slot_name = {}, copy_data = true)").format(
                        pgsql.Identifier(self.name), pgsql.Literal(conninfo(self.publisher, database)),
                        pgsql.Identifier(self.publication), pgsql.Literal(self.name)))
            self._created = True
        except psycopg.Error as exc:
            self.close()
            message = f"CREATE SUBSCRIPTION to {self.publication} failed: {exc.diag.message_primary or exc}"
            if exc.sqlstate == "42P01":  # a published table the subscriber does not have
                raise SubmissionProblem(f"{message}: the subscriber needs every published table") from None
            raise GraderFault(f"{message}. The grader subscribes as the administrator of GRADER_POSTGRES_URL, which "
                              "must be a superuser (PostgreSQL 16+: or a member of pg_create_subscription), and "
                              "the server must accept a connection to itself (pg_hba.conf)") from None
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def errors(self) -> int:
        with _connect(self.subscriber) as sub:
            row = sub.execute("SELECT apply_error_count + sync_error_count FROM pg_stat_subscription_stats "
                              "WHERE subname = %s", (self.name,)).fetchone()
        return int(row[0]) if row else 0

    def _wait(self, done: str, params: tuple[Any, ...], url: str, what: str, tolerate_errors: int = 0) -> None:
        """Poll `done` until true; more than `tolerate_errors` new apply errors meanwhile are the learner's."""
        baseline = self.errors()
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        with _connect(url) as conn:
            while True:
                row = conn.execute(done, params).fetchone()
                if row and row[0]:
                    return
                if self.errors() > baseline + tolerate_errors:
                    raise SubmissionProblem(f"while {what}, {STALLED}")
                if time.monotonic() > deadline:
                    raise GraderFault(f"{what} took longer than {WAIT_TIMEOUT_S:g} s without an error")
                time.sleep(0.1)

    def wait_synced(self) -> None:
        """The initial copy of every table is done."""
        self._wait("SELECT count(*) > 0 AND bool_and(r.srsubstate = 'r') FROM pg_subscription_rel r "
                   "JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = %s", (self.name,),
                   self.subscriber, "copying the published rows initially")

    def wait_caught_up(self, tolerate_errors: int = 0) -> None:
        """Every change the publisher committed so far has been applied on the subscriber. A worker that
        failed just before a fix may report its error a moment later: `tolerate_errors` allows for it."""
        with _connect(self.publisher) as pub:
            # the insert position: with synchronous_commit = off a commit record may not be written yet,
            # and pg_current_wal_lsn() (the write position) would stop short of it
            row = pub.execute("SELECT pg_current_wal_insert_lsn()").fetchone()
        assert row is not None
        self._wait("SELECT confirmed_flush_lsn >= %s::pg_lsn FROM pg_replication_slots WHERE slot_name = %s",
                   (str(row[0]), self.name), self.publisher, "replicating the publisher's changes", tolerate_errors)

    def wait_for_error(self) -> None:
        """The apply worker has stopped on an error (a conflict the check set up)."""
        baseline = self.errors()
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        while self.errors() <= baseline:
            if time.monotonic() > deadline:
                raise GraderFault(f"the conflict did not stop the apply worker within {WAIT_TIMEOUT_S:g} s")
            time.sleep(0.1)

    def close(self) -> None:
        """Drop the subscription (which drops its slot on the publisher), else the slot alone."""
        slots = [self.name]
        if self._created:
            with _connect(self.subscriber) as sub:
                row = sub.execute("SELECT oid FROM pg_subscription WHERE subname = %s", (self.name,)).fetchone()
                if row is not None:  # table-copy workers' slots, left behind if the copy never finished
                    slots.append(f"pg_{row[0]}_sync_%")
                name = pgsql.Identifier(self.name)
                sub.execute(pgsql.SQL("ALTER SUBSCRIPTION {} DISABLE").format(name))
                sub.execute(pgsql.SQL("ALTER SUBSCRIPTION {} SET (slot_name = NONE)").format(name))
                sub.execute(pgsql.SQL("DROP SUBSCRIPTION {}").format(name))
            self._created = False
        with _connect(self.publisher) as pub:
            deadline = time.monotonic() + WAIT_TIMEOUT_S
            mine = "slot_name LIKE ANY(%s)"
            while pub.execute(f"SELECT 1 FROM pg_replication_slots WHERE {mine} AND active", (slots,)).fetchone() \
                    and time.monotonic() < deadline:
                time.sleep(0.05)  # the walsenders end shortly after the subscription is disabled
            pub.execute(f"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE {mine} "
                        "AND NOT active", (slots,))
