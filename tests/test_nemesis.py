"""The grader's nemesis (grader/apps/proxy.py, gate.py, Worker.kill): a fault proxy that refuses,
cuts, delays and holds real PostgreSQL and Redis connections; a lock gate that stops a learner
process at a chosen statement and knows it for certain; a worker killed mid-call. Real servers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import redis

from grader.apps.gate import LockGate
from grader.apps.proxy import FaultProxy
from grader.checks.problems import SubmissionProblem
from grader.isolation.postgres import PostgresIsolation
from grader.services.session import ServicePool
from grader.worker.client import Worker


@pytest.fixture
def database(pool: ServicePool) -> Iterator[tuple[PostgresIsolation, str]]:
    isolation = PostgresIsolation(pool.get("postgres").url)
    isolation.ensure_learner_role()
    name = isolation.create_copy(None)
    with psycopg.connect(isolation.admin_url_for(name), autocommit=True) as conn:
        # The admin search_path is pinned to pg_catalog (grader/isolation): name the schema.
        conn.execute("CREATE TABLE public.t (id int PRIMARY KEY, n int NOT NULL); "
                     "INSERT INTO public.t VALUES (1, 0), (2, 0)")
        conn.execute("ALTER TABLE public.t OWNER TO grader_learner")
    yield isolation, name
    isolation.drop(name)


@pytest.fixture
def pg_proxy(database: tuple[PostgresIsolation, str]) -> Iterator[tuple[FaultProxy, str]]:
    isolation, name = database
    proxy = FaultProxy.for_url(isolation.admin_url, "postgres")
    yield proxy, proxy.url_for(isolation.learner_url(name, 5000))
    proxy.close()


def one(url: str) -> object:
    with psycopg.connect(url, connect_timeout=3) as conn:
        return conn.execute("SELECT current_user").fetchone()[0]  # type: ignore[index]


def test_the_proxy_forwards_refuses_and_accepts_again(pg_proxy: tuple[FaultProxy, str]) -> None:
    proxy, url = pg_proxy
    assert one(url) == "grader_learner"
    proxy.refuse()
    with pytest.raises(psycopg.OperationalError):
        one(url)
    proxy.accept()
    assert one(url) == "grader_learner"


def test_cut_resets_open_connections_and_down_is_a_restart(pg_proxy: tuple[FaultProxy, str]) -> None:
    proxy, url = pg_proxy
    conn = psycopg.connect(url, autocommit=True)
    assert conn.execute("SELECT 1").fetchone() == (1,)
    assert proxy.open_connections() == 1
    with proxy.down():
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
        with pytest.raises(psycopg.OperationalError):
            one(url)
    assert one(url) == "grader_learner"
    conn.close()


def test_the_peak_counts_connections_open_at_once_however_short(pg_proxy: tuple[FaultProxy, str]) -> None:
    proxy, url = pg_proxy
    kept = psycopg.connect(url, autocommit=True)
    proxy.reset_peak()
    assert proxy.peak_connections() == 1
    one(url)  # opened and closed between any two samples a check could take
    together = [psycopg.connect(url) for _ in range(3)]
    for conn in together:
        conn.close()
    assert proxy.peak_connections() >= 4  # the kept one and the three at once
    deadline = time.monotonic() + 5
    while proxy.open_connections() > 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    proxy.reset_peak()
    assert proxy.peak_connections() == 1
    kept.close()


def test_delay_slows_every_exchange(pg_proxy: tuple[FaultProxy, str]) -> None:
    proxy, url = pg_proxy
    with psycopg.connect(url, autocommit=True) as conn:
        proxy.delay(0.3)
        started = time.monotonic()
        conn.execute("SELECT 1")
        assert time.monotonic() - started >= 0.6  # the query and its answer each wait
        proxy.heal()


def test_hold_keeps_a_request_back_until_released(pool: ServicePool) -> None:
    url = pool.get("redis").url
    proxy = FaultProxy.for_url(url, "redis")
    try:
        client = redis.Redis.from_url(proxy.url_for(url), socket_timeout=10)
        client.ping()
        proxy.hold()
        answers: list[object] = []
        thread = threading.Thread(target=lambda: answers.append(client.set("nemesis:held", "1")))
        thread.start()
        assert proxy.wait_until_held(5), "the SET should be held in the proxy"
        time.sleep(0.2)
        assert answers == [] and redis.Redis.from_url(url).get("nemesis:held") is None  # the server never saw it
        proxy.release()
        thread.join(5)
        assert answers == [True]
    finally:
        redis.Redis.from_url(url).delete("nemesis:held")
        proxy.close()


def test_the_gate_knows_when_a_process_waits_and_terminates_a_dead_ones_session(
        database: tuple[PostgresIsolation, str]) -> None:
    isolation, name = database
    learner = isolation.learner_url(name, 20000)

    def bump() -> None:
        with psycopg.connect(learner, autocommit=True) as conn:
            conn.execute("UPDATE t SET n = n + 1 WHERE id = 1")

    with ThreadPoolExecutor(2) as pool, LockGate(isolation.admin_url_for(name),
                                                 [("SELECT 1 FROM public.t WHERE id = %s FOR UPDATE", (1,))]) as gate:
        calls = [pool.submit(bump), pool.submit(bump)]
        assert gate.settle(lambda: sum(not c.done() for c in calls), 10) == 2
        gate.terminate_waiters()
        assert gate.waiters() == []
    for call in calls:
        with pytest.raises(psycopg.OperationalError):
            call.result()
    with psycopg.connect(isolation.admin_url_for(name)) as conn:
        # the terminated updates never ran
        assert conn.execute("SELECT n FROM public.t WHERE id = 1").fetchone() == (0,)


def test_a_worker_killed_mid_call_fails_that_call_and_starts_again(tmp_path: Path) -> None:
    (tmp_path / "solution.py").write_text("import time\n\ndef slow():\n    time.sleep(60)\n\ndef quick():\n"
                                          "    return 7\n")
    worker = Worker(tmp_path, {}, timeout_s=30)
    try:
        assert worker.call("quick") == 7
        with ThreadPoolExecutor(1) as pool:
            call = pool.submit(worker.call, "slow")
            time.sleep(0.5)
            started = time.monotonic()
            worker.kill()
            with pytest.raises(SubmissionProblem, match="ended the Python process"):
                call.result(timeout=20)
            assert time.monotonic() - started < 15
        assert worker.call("quick") == 7
    finally:
        worker.close()


def test_lab_yaml_proxied_services_must_be_the_labs(tmp_path: Path) -> None:
    from grader.errors import SpecError
    from grader.spec import load_lab

    (tmp_path / "lab.yaml").write_text("title: t\ntrack: arch\nservices: [postgres]\nsubmission: [app.py]\n"
                                       "app:\n  proxied: [redis]\n")
    with pytest.raises(SpecError, match=r"app\.proxied names redis"):
        load_lab(tmp_path / "lab.yaml")


def test_an_apps_raw_output_can_be_read_since_a_mark(tmp_path: Path) -> None:
    from grader.apps import AppClient
    from tests.test_apps import make_app

    app = make_app(tmp_path / "logs", handler="print(json.dumps({'request_id': self.path}), flush=True)")
    try:
        client = AppClient(app)
        client.get("/first")
        mark = app.mark()
        client.get("/second")
        deadline = time.monotonic() + 5
        while '"/second"' not in app.output_since(mark) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert app.output_since(mark).strip() == '{"request_id": "/second"}'
        assert '"/first"' in app.output_since(0)
    finally:
        app.close()
