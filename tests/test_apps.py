"""The app harness (grader/apps): a learner's web service that crashes at start, never gets ready,
hangs a request, exits mid-run, escapes with setsid or floods its output gets a clear, bounded
message, and nothing is left listening afterwards — Ctrl-C included. On real PostgreSQL."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import port_for
import psycopg
import pytest

from grader.apps import AppClient, AppDatabase, RunningApp, faults
from grader.checks.problems import SubmissionProblem
from grader.isolation.pg_run import PostgresRun
from grader.isolation.postgres import PostgresIsolation
from grader.sandbox import SandboxLimits, reaper
from grader.services.session import ServicePool
from grader.spec import AppSpec

ROOT = Path(__file__).resolve().parent.parent

SERVER = """
import json, os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        {handler}
        body = json.dumps({{"path": self.path}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

{before}
print("listening", flush=True)
ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
"""


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def make_app(folder: Path, handler: str = "pass", before: str = "", database_url: str | None = None,
             **spec: object) -> RunningApp:
    folder.mkdir(exist_ok=True)
    source = SERVER.format(handler=textwrap.indent(textwrap.dedent(handler), " " * 8).strip(), before=before)
    (folder / "app.py").write_text(source)
    return RunningApp(AppSpec(**spec), folder, database_url, None, SandboxLimits(output_bytes=64 * 1024),
                      hide=[ROOT / "labs"], reveal=True)


@pytest.fixture
def apps() -> Iterator[list[RunningApp]]:
    started: list[RunningApp] = []
    yield started
    for app in started:
        app.close()


def test_a_healthy_app_answers_and_is_gone_after_close(tmp_path: Path, apps: list[RunningApp]) -> None:
    app = make_app(tmp_path / "ok")
    apps.append(app)
    client = AppClient(app)
    assert client.get("/hello").json() == {"path": "/hello"}
    port = app.port
    app.close()
    assert not listening(port)


def test_crash_at_start_shows_the_reason_and_the_last_lines(tmp_path: Path, apps: list[RunningApp]) -> None:
    app = make_app(tmp_path / "crash", before="print('reading settings'); raise SystemExit('boom: no SETTINGS')")
    apps.append(app)
    started = time.monotonic()
    with pytest.raises(SubmissionProblem) as caught:
        app.ensure_running()
    message = str(caught.value)
    assert "stopped before it was ready" in message and "exited with code 1" in message
    assert "[your app] reading settings" in message and "boom: no SETTINGS" in message
    assert time.monotonic() - started < 15
    again = time.monotonic()
    with pytest.raises(SubmissionProblem):  # remembered: the next check fails at once, not after a timeout
        app.ensure_running()
    assert time.monotonic() - again < 0.5


def test_never_ready_is_bounded_by_the_start_timeout(tmp_path: Path, apps: list[RunningApp]) -> None:
    app = make_app(tmp_path / "asleep", before="print('warming up', flush=True); time.sleep(600)", start_timeout_s=2)
    apps.append(app)
    started = time.monotonic()
    with pytest.raises(SubmissionProblem) as caught:
        app.ensure_running()
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert "did not become ready within 2 s" in message and "PORT" in message and "warming up" in message
    assert not app.running()


def test_a_wrong_port_is_named(tmp_path: Path, apps: list[RunningApp]) -> None:
    app = make_app(tmp_path / "port", before="os.environ['PORT'] = str(int(os.environ['PORT']) + 1)", start_timeout_s=2)
    apps.append(app)
    with pytest.raises(SubmissionProblem, match="must listen on the port in the PORT environment variable"):
        app.ensure_running()


def test_a_request_that_hangs_is_a_bounded_fail_and_the_app_comes_back(tmp_path: Path,
                                                                        apps: list[RunningApp]) -> None:
    app = make_app(tmp_path / "hang", handler="if self.path == '/hang': time.sleep(600)", request_timeout_s=1)
    apps.append(app)
    client = AppClient(app)
    started = time.monotonic()
    with pytest.raises(SubmissionProblem, match=r"GET /hang got no answer within 1 s"):
        client.get("/hang")
    assert time.monotonic() - started < 10
    assert client.get("/fine").status_code == 200  # restarted for the next check


def test_an_exit_mid_run_says_how_it_ended(tmp_path: Path, apps: list[RunningApp]) -> None:
    app = make_app(tmp_path / "exit", handler="if self.path == '/exit': print('bye', flush=True); os._exit(3)")
    apps.append(app)
    client = AppClient(app)
    with pytest.raises(SubmissionProblem) as caught:
        client.get("/exit")
    message = str(caught.value)
    assert "stopped while handling GET /exit" in message and "exited with code 3" in message
    assert "[your app] bye" in message


def test_a_flood_of_output_is_cut_and_the_message_stays_short(tmp_path: Path, apps: list[RunningApp]) -> None:
    flood = "for i in range(200000): print('noise', i)\nprint('the real error'); sys.exit(2)"
    app = make_app(tmp_path / "flood", before=flood)
    apps.append(app)
    with pytest.raises(SubmissionProblem) as caught:
        app.ensure_running()
    message = str(caught.value)
    assert "the real error" in message and len(message) < 2500


def test_a_child_that_escaped_with_setsid_is_killed_too(tmp_path: Path, apps: list[RunningApp]) -> None:
    child_port = port_for.select_random()
    child = (f"import subprocess; subprocess.Popen(['setsid', sys.executable, '-m', 'http.server', "
             f"'{child_port}', '--bind', '127.0.0.1'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)")
    app = make_app(tmp_path / "escape", before=child)
    apps.append(app)
    app.ensure_running()
    deadline = time.monotonic() + 15
    while not listening(child_port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert listening(child_port), "the escaped child never listened"
    port = app.port
    app.close()
    assert not listening(port) and not listening(child_port)


def test_ctrl_c_leaves_nothing_listening(tmp_path: Path) -> None:
    folder = tmp_path / "interrupted"
    make_app(folder)  # writes app.py
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from grader.apps import RunningApp
        from grader.sandbox import SandboxLimits
        from grader.spec import AppSpec
        app = RunningApp(AppSpec(), Path({str(folder)!r}), None, None, SandboxLimits(), [], True)
        app.ensure_running()
        print(app.port, app._sandbox.token, flush=True)
        time.sleep(120)
    """)
    runner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert runner.stdout is not None
    port_text, token = runner.stdout.readline().split()
    port = int(port_text)
    assert listening(port)
    runner.send_signal(signal.SIGINT)
    runner.wait(timeout=30)
    assert not listening(port)
    assert reaper.by_marker(token) == []


def test_the_app_reaches_its_database_as_the_learner_and_survives_an_outage(
        tmp_path: Path, apps: list[RunningApp], pool: ServicePool) -> None:
    isolation = PostgresIsolation(pool.get("postgres").url)
    isolation.ensure_learner_role()
    database = isolation.create_copy(None)
    try:
        handler = """
        import psycopg
        try:
            with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=3) as conn:
                user = conn.execute("SELECT current_user").fetchone()[0]
            self.path = user
        except psycopg.OperationalError:
            self.send_response(503); self.send_header("Content-Length", "0"); self.end_headers(); return
        """
        app = make_app(tmp_path / "db", handler=handler,
                       database_url=isolation.learner_url(database, 3000))
        apps.append(app)
        client = AppClient(app)
        assert client.get("/").json() == {"path": "grader_learner"}
        db = AppDatabase(isolation.admin_url_for(database), database, isolation.admin_url)
        with faults.database_down(db):
            assert client.get("/").status_code == 503
        assert client.get("/").json() == {"path": "grader_learner"}
        faults.kill(app)
        assert not app.running()
        assert client.get("/").status_code == 200  # the client starts it again
    finally:
        for app in apps:
            app.close()
        isolation.drop(database)


def test_lab_yaml_app_section_is_checked(tmp_path: Path) -> None:
    from grader.errors import SpecError
    from grader.spec import load_lab

    path = tmp_path / "lab.yaml"
    base = "title: t\ntrack: api\nsubmission: [app.py]\napp:\n"
    path.write_text(base + "  command_file: run.sh\n")
    with pytest.raises(SpecError, match="must be one of the submission files"):
        load_lab(path)
    path.write_text(base + "  ready_path: health\n")
    with pytest.raises(SpecError, match="must start with '/'"):
        load_lab(path)
    path.write_text(base + "  ready_pth: /health\n")
    with pytest.raises(SpecError, match="rename it to 'ready_path'"):
        load_lab(path)
    path.write_text(base + "  ready_path: /health\n")
    assert load_lab(path).app == AppSpec(ready_path="/health")


def test_sql_statements_are_counted_on_the_wire(tmp_path: Path, apps: list[RunningApp], pool: ServicePool) -> None:
    isolation = PostgresIsolation(pool.get("postgres").url)
    isolation.ensure_learner_role()
    database = isolation.create_copy(None)
    try:
        handler = """
        import psycopg
        times = int(self.path.strip("/") or 0)
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            for n in range(times):
                conn.execute("SELECT %s::int", (n,)) if n % 2 else conn.execute("SELECT 1")
        """
        app = make_app(tmp_path / "count", handler=handler, database_url=isolation.learner_url(database, 3000),
                       count_statements=True)
        apps.append(app)
        client = AppClient(app)
        for times in (0, 1, 5):
            before = app.statements
            assert client.get(f"/{times}").status_code == 200
            assert app.statements - before == times
    finally:
        for app in apps:
            app.close()
        isolation.drop(database)


def test_app_sessions_counts_the_apps_login_role_not_the_table_owner(pool: ServicePool) -> None:
    """A graded app logs in as its run's own role: a count by the tables' owner (grader_learner) saw
    none of its connections, and a connection-per-request app passed the pool check at random."""
    run = PostgresRun(pool.get("postgres").url, 5000)
    try:
        database = run.create_copy(None)
        db = AppDatabase(run.checks_url(database), database, run.iso.admin_url, run.learner.name)
        assert db.app_sessions() == 0
        opened = [psycopg.connect(run.learner_url(database)) for _ in range(3)]
        try:
            assert db.app_sessions() == 3
        finally:
            for conn in opened:
                conn.close()
    finally:
        run.close()
