"""Local servers start, answer, and leave nothing behind: after a run, after Ctrl-C, after `services down`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from grader.services import postgres, server_process
from grader.services.postgres import LocalPostgres
from grader.services.redis import LocalRedis
from tests.helpers import ROOT, copy_of_repo, grader


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


@pytest.fixture
def private_tmp() -> Iterator[Path]:
    """A scratch folder only this test uses, so server processes started under it can be found by path."""
    folder = Path(tempfile.mkdtemp(prefix="grader-tmp-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_local_postgres_starts_answers_and_stops_without_leftovers(
    private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_SCRATCH_DIR", str(private_tmp))
    server = LocalPostgres()
    server.start()
    with psycopg.connect(server.url()) as conn:
        assert conn.execute("SELECT current_setting('fsync')").fetchone() == ("off",)
        secret = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = current_user").fetchone()
        assert secret is not None and str(secret[0]).startswith("SCRAM-SHA-256$1:"), "random: no stretching needed"
    assert processes_mentioning(str(private_tmp))
    server.stop()
    assert not processes_mentioning(str(private_tmp))
    assert not list(private_tmp.glob("grader-pg-*")), "the server's temp dir was not removed"


def test_a_cluster_is_initialised_once_then_copied_with_a_password_of_its_own(
    private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_SCRATCH_DIR", str(private_tmp))
    first = LocalPostgres()
    first.start()
    first.stop()
    commands: list[str] = []
    real = postgres.run_checked
    monkeypatch.setattr(postgres, "run_checked",
                        lambda command, *rest: commands.append(command[0]) or real(command, *rest))
    second = LocalPostgres()
    second.start()
    try:
        assert not [c for c in commands if c.endswith("initdb")], "initdb ran again instead of copying the cluster"
        with psycopg.connect(second.url()) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(second.url().replace(second.password, first.password), connect_timeout=5)
    finally:
        second.stop()


def test_servers_keep_their_data_on_the_memory_disk_only_when_it_has_room(monkeypatch: pytest.MonkeyPatch) -> None:
    """A database copy costs ten times more on a real disk; a full memory disk must not break a run."""
    monkeypatch.delenv("GRADER_SCRATCH_DIR", raising=False)
    if not (server_process.MEMORY_DISK.is_dir() and os.access(server_process.MEMORY_DISK, os.W_OK)):
        pytest.skip("this machine has no writable /dev/shm")
    assert server_process.scratch_root() == server_process.MEMORY_DISK
    monkeypatch.setattr(server_process, "MEMORY_DISK_MIN_FREE", shutil.disk_usage("/dev/shm").total + 1)
    assert server_process.scratch_root() == Path(tempfile.gettempdir())
    assert server_process.MEMORY_DISK in server_process.scratch_roots(), "the leftovers' sweep must still look there"


def test_local_redis_requires_its_password() -> None:
    server = LocalRedis()
    server.start()
    try:
        assert redis.Redis.from_url(server.url()).ping()
        anonymous = redis.Redis(host="127.0.0.1", port=server.port)
        with pytest.raises(redis.AuthenticationError):
            anonymous.ping()
    finally:
        server.stop()
    assert not server.ready()


@pytest.mark.parametrize("service", ["postgres", "redis"])
def test_embedded_binaries_from_pip_work_without_system_servers(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LOCAL_BINARIES", "embedded")
    server = LocalPostgres() if service == "postgres" else LocalRedis()
    assert "embedded" in server.describe()
    server.start()
    try:
        assert server.ready()
    finally:
        server.stop()


def test_ctrl_c_during_a_check_leaves_no_server_behind(private_tmp: Path) -> None:
    scratch = copy_of_repo(["sql-joins"])  # no warm services there: the check must start its own
    env = {**os.environ, "GRADER_SCRATCH_DIR": str(private_tmp), "GRADER_BACKEND": "local", "GRADER_ROOT": str(scratch)}
    env.pop("GRADER_POSTGRES_URL", None)
    check = subprocess.Popen([sys.executable, "-m", "grader.cli", "check", "sql-joins", "--solution"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not processes_mentioning(f"{private_tmp}/grader-pg-") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_mentioning(f"{private_tmp}/grader-pg-"), "the check never started PostgreSQL"
    check.send_signal(signal.SIGINT)
    _, stderr = check.communicate(timeout=60)
    assert check.returncode != 0
    deadline = time.monotonic() + 10
    while processes_mentioning(str(private_tmp)) and time.monotonic() < deadline:
        time.sleep(0.1)
    shutil.rmtree(scratch, ignore_errors=True)
    assert not processes_mentioning(str(private_tmp)), f"left behind after Ctrl-C; stderr: {stderr[-500:]}"


def test_services_up_are_reused_by_check_and_down_stops_exactly_them() -> None:
    scratch = copy_of_repo(["sql-joins"])
    env = {"GRADER_ROOT": str(scratch), "GRADER_BACKEND": "local"}
    try:
        assert grader("services", "up", "postgres", env=env).returncode == 0
        status = json.loads(grader("services", "status", "--format", "json", env=env).stdout)
        assert [s["service"] for s in status] == ["postgres"]
        keeper = status[0]["pid"]
        done = grader("check", "sql-joins", "--solution", "--format", "json", env=env)
        assert done.returncode == 0, done.stderr
        assert "(warm" in json.loads(done.stdout)["labs"][0]["services"][0]
        again = json.loads(grader("services", "status", "--format", "json", env=env).stdout)
        assert again[0]["pid"] == keeper and again[0]["url"] == status[0]["url"], "the check replaced the warm server"
        down = grader("services", "down", env=env)
        assert "postgres" in down.stdout
        assert json.loads(grader("services", "status", "--format", "json", env=env).stdout) == []
        with pytest.raises(ProcessLookupError):
            os.kill(keeper, 0)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(status[0]["url"], connect_timeout=2)
    finally:
        grader("services", "down", env=env)
        shutil.rmtree(scratch, ignore_errors=True)
