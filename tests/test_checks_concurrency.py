"""grader/checks/concurrency.py on a real server: separate connections, errors as data, and a gate
that turns a read-then-write race into a certainty."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from grader.checks.concurrency import Call, Gate, Lock, run_concurrently
from grader.checks.problems import GraderFault
from grader.isolation.postgres import PostgresIsolation
from grader.services.session import ServicePool

READ_THEN_WRITE = """
CREATE FUNCTION bump_stale() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE seen integer;
BEGIN
    SELECT n INTO seen FROM public.counter WHERE id = 1;
    UPDATE public.counter SET n = seen + 1 WHERE id = 1;
    RETURN seen;
END $$;
CREATE FUNCTION bump_relative() RETURNS integer LANGUAGE sql AS $$
    UPDATE public.counter SET n = n + 1 WHERE id = 1 RETURNING n
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
        row = conn.execute("SELECT n FROM public.counter WHERE id = 1").fetchone()
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
    gate = Gate(admin, (Lock("SELECT 1 FROM public.counter WHERE id = 1 FOR UPDATE"),))
    run = run_concurrently(learner, [Call("SELECT bump_stale()")] * 20, gate)
    assert run.all_waited
    assert [o.value for o in run.outcomes] == [0] * 20, "every call read before the gate opened"
    assert _counter(admin) == 1, "19 of the 20 increments were lost"


def test_gate_keeps_relative_updates(database: tuple[str, str]) -> None:
    learner, admin = database
    gate = Gate(admin, (Lock("SELECT 1 FROM public.counter WHERE id = 1 FOR UPDATE"),))
    run = run_concurrently(learner, [Call("SELECT bump_relative()")] * 20, gate)
    assert run.all_waited and not run.errors()
    assert sorted(o.value for o in run.outcomes) == list(range(1, 21))
    assert _counter(admin) == 20


def test_gate_opens_after_its_timeout_when_a_call_never_blocks(database: tuple[str, str]) -> None:
    learner, admin = database
    gate = Gate(admin, (Lock("SELECT 1 FROM public.counter WHERE id = 1 FOR UPDATE"),), settle_timeout_s=0.2)
    run = run_concurrently(learner, [Call("SELECT pg_sleep(1)"), Call("SELECT bump_relative()")], gate)
    assert not run.all_waited
    assert not run.errors() and _counter(admin) == 1


LOCK_FROM_THEN_TO = """
CREATE TABLE account (id integer PRIMARY KEY, balance integer NOT NULL);
INSERT INTO account SELECT i, 1000 FROM generate_series(1, 8) AS i;
CREATE FUNCTION move(a integer, b integer, ordered boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF ordered THEN
        PERFORM 1 FROM public.account WHERE id IN (a, b) ORDER BY id FOR UPDATE;
    END IF;
    UPDATE account SET balance = balance - 1 WHERE id = a;
    UPDATE account SET balance = balance + 1 WHERE id = b;
    RETURN true;
END $$;
"""


def _with_function(database: tuple[str, str], function: str) -> tuple[str, str]:
    """The learner's function installed, and deadlocks detected quickly (the checks' own setting)."""
    learner, admin = database
    with psycopg.connect(learner, autocommit=True) as conn:
        conn.execute(function.encode())
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {admin.rsplit('/', 1)[1].split('?')[0]} SET deadlock_timeout = '50ms'")
    return learner, admin


@pytest.mark.parametrize("ordered", [False, True])
def test_staged_gate_makes_lock_order_deadlocks_certain(database: tuple[str, str], ordered: bool) -> None:
    learner, admin = _with_function(database, LOCK_FROM_THEN_TO)
    pairs = [(1, 2), (2, 1), (3, 4), (4, 3), (5, 6), (6, 5), (7, 8), (8, 7)]
    calls = [Call("SELECT move(%s, %s, %s)", (a, b, ordered)) for a, b in pairs]
    stages = tuple(Lock("SELECT 1 FROM public.account WHERE id = %s FOR UPDATE", (i,)) for i in range(1, 9))
    for _ in range(3):
        run = run_concurrently(learner, calls, Gate(admin, stages))
        assert run.all_waited
        if ordered:
            assert not run.errors()
        else:
            assert len(run.errors("40P01")) == 4, "one victim in each of the four pairs, every time"


SHARE_THEN_UPDATE = """
CREATE FUNCTION bump_shared(exclusive boolean) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE seen integer;
BEGIN
    IF exclusive THEN
        SELECT n INTO seen FROM public.counter WHERE id = 1 FOR UPDATE;
    ELSE
        SELECT n INTO seen FROM public.counter WHERE id = 1 FOR SHARE;
    END IF;
    UPDATE public.counter SET n = seen + 1 WHERE id = 1;
    RETURN seen;
END $$;
"""


@pytest.mark.parametrize("exclusive", [False, True])
def test_shared_gate_makes_upgrade_deadlocks_certain(database: tuple[str, str], exclusive: bool) -> None:
    """Behind a FOR SHARE gate every call holds its shared lock before any upgrades: a deadlock every run."""
    learner, admin = _with_function(database, SHARE_THEN_UPDATE)
    gate = Gate(admin, (Lock("SELECT 1 FROM public.counter WHERE id = 1 FOR SHARE"),))
    for _ in range(3):
        run = run_concurrently(learner, [Call("SELECT bump_shared(%s)", (exclusive,))] * 2, gate)
        assert run.all_waited
        if exclusive:
            assert not run.errors(), "FOR UPDATE waits behind the gate and then runs one call at a time"
        else:
            assert len(run.errors("40P01")) == 1, "both calls held FOR SHARE before either upgraded"


def test_a_connection_that_cannot_be_opened_is_a_grader_fault(database: tuple[str, str]) -> None:
    learner, _ = database
    wrong_password = learner.replace("grader_learner:", "grader_learner:not-", 1)
    with pytest.raises(GraderFault, match="cannot open a connection"):
        run_concurrently(wrong_password, [Call("SELECT 1")] * 3)
