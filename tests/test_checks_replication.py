"""grader/checks/replication.py on a real server: a subscription between two databases of one server
copies and then streams rows, reports a stalled apply worker as the submission's problem, and leaves
no subscription or slot behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from grader.checks.problems import SubmissionProblem
from grader.checks.replication import Subscription, publisher
from grader.checks.sql import SqlChecker
from grader.isolation.pg_run import PostgresRun
from grader.services.session import ServicePool


@pytest.fixture
def two_databases(pool: ServicePool) -> Iterator[tuple[str, str, str]]:
    """Two databases of one run (CONNECT for the run's roles only): the server's URL and each one's admin URL."""
    server = pool.get("postgres").url
    run = PostgresRun(server, 10000)
    try:
        names = [run.create_copy(None), run.create_copy(None)]
        with psycopg.connect(run.admin_url(names[0]), autocommit=True) as pub:  # admin search_path: pg_catalog
            pub.execute("CREATE TABLE public.t (id integer PRIMARY KEY, v text); "
                        "INSERT INTO public.t VALUES (1, 'a'), (2, 'b'); CREATE PUBLICATION p FOR TABLE public.t")
        yield server, run.admin_url(names[0]), run.admin_url(names[1])
    finally:
        run.close()


def rows(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT * FROM public.t ORDER BY id").fetchall()


def test_rows_are_copied_then_streamed_and_nothing_is_left(two_databases: tuple[str, str, str]) -> None:
    server, pub, sub = two_databases
    with psycopg.connect(sub, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.t (id integer PRIMARY KEY, v text)")
    with Subscription(pub, sub, "p") as subscription:
        subscription.wait_synced()
        assert rows(sub) == [(1, "a"), (2, "b")]
        with psycopg.connect(pub, autocommit=True) as conn:
            conn.execute("INSERT INTO public.t VALUES (3, 'c'); UPDATE public.t SET v = 'z' WHERE id = 1; "
                         "DELETE FROM public.t WHERE id = 2")
        subscription.wait_caught_up()
        assert rows(sub) == [(1, "z"), (3, "c")]
    with psycopg.connect(server) as conn:  # other runs may share the server: look for this one's only
        assert conn.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s OR database = %s",
                            (subscription.name, pub.rsplit("/", 1)[1])).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM pg_subscription WHERE subname = %s",
                            (subscription.name,)).fetchone() == (0,)


def test_a_stalled_apply_worker_is_the_submissions_problem(two_databases: tuple[str, str, str]) -> None:
    _, pub, sub = two_databases
    with psycopg.connect(sub, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.t (id integer PRIMARY KEY)")  # lacks the published column v
    with pytest.raises(SubmissionProblem, match="apply worker keeps failing"), Subscription(pub, sub, "p") as s:
        s.wait_synced()


def test_a_missing_publication_or_table_is_named(two_databases: tuple[str, str, str]) -> None:
    _, pub, sub = two_databases
    with pytest.raises(SubmissionProblem, match="no publication named nope"), Subscription(pub, sub, "nope"):
        pass
    with pytest.raises(SubmissionProblem, match="every published table"), Subscription(pub, sub, "p"):
        pass


def test_a_publisher_copy_allows_publications_but_no_schema(pool: ServicePool, tmp_path: Path) -> None:
    run = PostgresRun(pool.get("postgres").url, 10000)
    try:
        def on(database: str) -> SqlChecker:
            return SqlChecker(run.learner_url(database), run.admin_url(database), tmp_path, None, 10000, True,
                              lambda: on(run.create_copy(None)), lambda rel: None,
                              reference_url=run.reference_url(database))

        pub = publisher(on(run.create_copy(None)))
        pub.expect_ok("CREATE TABLE t (id integer PRIMARY KEY); CREATE PUBLICATION p FOR TABLE t",
                      explain="a publication", commit=True)
        pub.expect_error('CREATE SCHEMA "evil"', "42501", explain="no schema")
        pub.expect_error("CREATE EXTENSION pgcrypto", "42501", explain="no extension")
        plain = on(run.create_copy(None))
        plain.expect_error("CREATE PUBLICATION q", "42501", explain="other copies stay closed")
    finally:
        run.close()
