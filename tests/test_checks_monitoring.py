"""grader/checks/monitoring.py and pg_server.py on a real server: a lock scene forms the same
waits on every run, a step that cannot wait is a grader fault, `at_rest` retries until the
expected answer holds still, and a missing server setting names its fix."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from grader.checks import pg_server
from grader.checks.monitoring import LockScene, Step, at_rest, wait_for
from grader.checks.problems import GraderFault
from grader.isolation.pg_run import PostgresRun
from grader.services.session import ServicePool
from grader.sqlcompare import ResultSet


@pytest.fixture
def database(pool: ServicePool) -> Iterator[tuple[str, str]]:
    """A run's empty database (CONNECT for the run's roles only): its submission role's URL, and the admin's."""
    run = PostgresRun(pool.get("postgres").url, 10000)
    try:
        name = run.create_copy(None)
        learner = run.learner_url(name)
        with psycopg.connect(learner, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (id integer PRIMARY KEY, v integer); INSERT INTO t VALUES (1, 0), (2, 0)")
        yield learner, run.admin_url(name)
    finally:
        run.close()


def blocking(admin_url: str, pid: int) -> list[int]:
    with psycopg.connect(admin_url) as conn:
        row = conn.execute("SELECT pg_blocking_pids(%s)", (pid,)).fetchone()
    assert row is not None
    return sorted(row[0])


def test_a_scene_forms_a_chain_and_ends_cleanly(database: tuple[str, str]) -> None:
    learner, admin = database
    steps = [Step("a", "BEGIN"), Step("a", "UPDATE t SET v = 1 WHERE id = 1"),
             Step("b", "BEGIN"), Step("b", "UPDATE t SET v = 2 WHERE id = 2"),
             Step("b", "UPDATE t SET v = 2 WHERE id = 1", waits=True),
             Step("c", "UPDATE t SET v = 3 WHERE id = 2", waits=True)]
    with LockScene(learner, admin, steps) as scene:
        pids = dict(scene.pids)
        assert blocking(admin, pids["b"]) == [pids["a"]]
        assert blocking(admin, pids["c"]) == [pids["b"]]
        assert blocking(admin, pids["a"]) == []
    with psycopg.connect(admin) as conn:  # every session of the scene is gone, its changes rolled back
        assert conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
                            (list(pids.values()),)).fetchone() == (0,)
        assert conn.execute("SELECT sum(v) FROM public.t").fetchone() == (0,)  # admin search_path: pg_catalog


def test_a_step_that_fails_instead_of_waiting_is_a_grader_fault(database: tuple[str, str]) -> None:
    learner, admin = database
    with pytest.raises(GraderFault, match=r"failed: .*transaction blocks"), \
            LockScene(learner, admin, [Step("x", "LOCK TABLE t IN SHARE MODE", waits=True)]):
        pass
    with pytest.raises(GraderFault, match="finished without waiting"), \
            LockScene(learner, admin, [Step("x", "SELECT 1", waits=True)]):
        pass


def test_at_rest_retries_until_the_expected_answer_holds_still() -> None:
    readings = iter([1, 2, 2, 2])

    def expected() -> ResultSet:
        return ResultSet(["n"], [(next(readings),)])

    want, got = at_rest(expected, lambda: ResultSet(["n"], [(2,)]))
    assert want.rows == got.rows == [(2,)]
    with pytest.raises(GraderFault, match="kept changing"):
        counter = iter(range(100))
        at_rest(lambda: ResultSet(["n"], [(next(counter),)]), lambda: ResultSet(["n"], []), tries=3)
    with pytest.raises(GraderFault, match="did not happen"):
        wait_for(lambda: False, "the impossible", timeout_s=0.2)


def test_a_missing_setting_names_the_fix_for_each_backend(pool: ServicePool) -> None:
    admin = pool.get("postgres").url
    pg_server.require_setting(admin, "wal_level", "logical", "logical decoding")  # the grader's own servers
    with pytest.raises(GraderFault, match=r"GRADER_POSTGRES_URL.*postgresql\.conf") as caught:
        pg_server.require_setting(admin, "shared_preload_libraries", "no_such_library", "a test")
    assert "grader services down" in str(caught.value)
    assert (pg_server.client_tools(admin) / "pg_restore").is_file()
