"""grader/checks/concurrency.py on a real server: separate connections, errors as data, and a gate
that turns a read-then-write race into a certainty."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from grader.checks.concurrency import Call, Gate, run_concurrently
from grader.isolation.postgres import PostgresIsolation
from grader.services.session import ServicePool

READ_THEN_WRITE = """
CREATE FUNCTION bump_stale() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE seen integer;
BEGIN
    SELECT n INTO seen FROM counter WHERE id = 1;
    UPDATE counter SET n = seen + 1 WHERE id = 1;
    RETURN seen;
END $$;
CREATE FUNCTION bump_relative() RETURNS integer LANGUAGE sql AS $$
    UPDATE counter SET n = n + 1 WHERE id = 1 RETURNING n
$$;
"""


@pytest.fixture
def database(pool: ServicePool) -> Iterator[tuple[str, str]]:
    """(learner url, admin url) of a fresh database with a one-row counter table."""
    iso = PostgresIsolation(pool.get("postgres").url)
    iso.ensure_learner_role()
    name = iso.create_copy(None)
    learner = iso.learner_url(name, 5000)
    try:
        with psycopg.connect(learner, autocommit=True) as conn:
            conn.execute("CREATE TABLE counter (id integer PRIMARY KEY, n integer NOT NULL)")
            conn.execute("INSERT INTO counter VALUES (1, 0)")
            conn.execute(READ_THEN_WRITE.encode())
        yield learner, iso.admin_url_for(name)
    finally:
        iso.drop(name)


def _counter(admin_url: str) -> int:
    with psycopg.connect(admin_url) as conn:
        row = conn.execute("SELECT n FROM counter WHERE id = 1").fetchone()
    assert row is not None
    return int(row[0])


def test_each_call_has_its_own_connection_and_result(database: tuple[str, str]) -> None:
    learner, _ = database
    run = run_concurrently(learner, [Call("SELECT pg_backend_pid(), %s::int", (i,)) for i in range(12)])
    assert len({o.value for o in run.outcomes}) == 12
    assert all(o.ok for o in run.outcomes)


def test_errors_are_reported_with_their_sqlstate(database: tuple[str, str]) -> None:
    learner, _ = database
    run = run_concurrently(learner, [Call("SELECT 1 / %s::int", (d,)) for d in (1, 0)])
    assert run.outcomes[0].value == 1 and run.outcomes[0].ok
    assert run.outcomes[1].sqlstate == "22012" and not run.outcomes[1].ok
    assert run.errors("22012") == [run.outcomes[1]]


def test_gate_makes_every_unlocked_read_stale(database: tuple[str, str]) -> None:
    learner, admin = database
    gate = Gate(admin, "SELECT 1 FROM counter WHERE id = 1 FOR UPDATE")
    run = run_concurrently(learner, [Call("SELECT bump_stale()")] * 20, gate)
    assert run.all_waited
    assert [o.value for o in run.outcomes] == [0] * 20, "every call read before the gate opened"
    assert _counter(admin) == 1, "19 of the 20 increments were lost"


def test_gate_keeps_relative_updates(database: tuple[str, str]) -> None:
    learner, admin = database
    gate = Gate(admin, "SELECT 1 FROM counter WHERE id = 1 FOR UPDATE")
    run = run_concurrently(learner, [Call("SELECT bump_relative()")] * 20, gate)
    assert run.all_waited and not run.errors()
    assert sorted(o.value for o in run.outcomes) == list(range(1, 21))
    assert _counter(admin) == 20


def test_gate_opens_after_its_timeout_when_a_call_never_blocks(database: tuple[str, str]) -> None:
    learner, admin = database
    gate = Gate(admin, "SELECT 1 FROM counter WHERE id = 1 FOR UPDATE", settle_timeout_s=0.2)
    run = run_concurrently(learner, [Call("SELECT pg_sleep(1)"), Call("SELECT bump_relative()")], gate)
    assert not run.all_waited
    assert not run.errors() and _counter(admin) == 1
