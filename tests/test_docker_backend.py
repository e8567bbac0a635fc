"""The docker backend against a real Docker engine: start, seed, grade, reuse warm containers, clean up.

Needs a Docker engine and the images (`make docker-images` builds local stand-ins; the image
variables point the grader at them). Skipped, with the reason printed, only where no engine answers.
Every grader command runs as a subprocess with its own GRADER_ROOT, so warm services of people
working in this checkout are neither used nor stopped.

How a container is tied to the process that made it: the grader labels each one with its owner's
pid (docker_engine.LABEL_OWNER_PID), and Docker's event log says which containers were created and
destroyed while a command ran. A command that "reused" warm services therefore shows no `create`
event of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from grader.errors import ServiceUnavailable
from grader.services import docker_engine
from grader.services.docker_engine import LABEL, LABEL_OWNER_PID, LABEL_SERVICE

ROOT = Path(__file__).resolve().parent.parent
GRADER = str(Path(sys.executable).with_name("grader"))
MISSING_IMAGE = "127.0.0.1:9/backend-labs/missing:0"  # a "registry" on a closed local port: fails fast, offline


def _engine_problem() -> str | None:
    try:
        docker_engine.client()
    except ServiceUnavailable as exc:
        return exc.problem
    return None


ENGINE_PROBLEM = _engine_problem()
if ENGINE_PROBLEM:
    print(f"\ntests/test_docker_backend.py: skipping the docker tests: {ENGINE_PROBLEM}", file=sys.__stderr__)
needs_engine = pytest.mark.skipif(ENGINE_PROBLEM is not None, reason=str(ENGINE_PROBLEM))


def _image(service: docker_engine.ServiceName) -> str:
    """The image the tests use: the variable when set, else the local stand-in (never a pull)."""
    return os.environ.get(docker_engine.IMAGE_ENV[service]) or docker_engine.LOCAL_STAND_IN[service]


@pytest.fixture(scope="module")
def images() -> dict[str, str]:
    found = {}
    for service in ("postgres", "redis"):
        image = _image(service)  # type: ignore[arg-type]
        if docker_engine.image_problem(image) is not None:
            pytest.fail(f"Docker answers but image {image} is missing: run `make docker-images` "
                        f"(or set {docker_engine.IMAGE_ENV[service]} to a {service} image you have)")  # type: ignore[index]
        found[service] = image
    return found


@pytest.fixture
def env(tmp_path: Path, images: dict[str, str]) -> dict[str, str]:
    """A grader environment with its own state folder, the docker backend and images that are here."""
    (tmp_path / "labs").symlink_to(ROOT / "labs")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    return {**clean, "GRADER_ROOT": str(tmp_path), "GRADER_BACKEND": "docker",
            "GRADER_POSTGRES_IMAGE": images["postgres"], "GRADER_REDIS_IMAGE": images["redis"],
            "TESTCONTAINERS_RYUK_DISABLED": "true"}


class Ran:
    def __init__(self, pid: int, code: int, out: str, err: str, started: float, ended: float) -> None:
        self.pid, self.code, self.out, self.err, self.started, self.ended = pid, code, out, err, started, ended

    def json(self) -> Any:
        return json.loads(self.out)

    def events(self) -> list[dict[str, Any]]:
        """Docker events of grader containers while this command ran, made by this command's process."""
        return [e for e in _grader_events(self.started, self.ended)
                if e["Actor"]["Attributes"].get(LABEL_OWNER_PID) == str(self.pid)]


def run(args: list[str], env: dict[str, str], timeout: float = 300) -> Ran:
    started = time.time()
    proc = subprocess.Popen([GRADER, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = proc.communicate(timeout=timeout)
    return Ran(proc.pid, proc.returncode, out, err, started, time.time())


def _grader_events(since: float, until: float) -> list[dict[str, Any]]:
    stream = docker_engine.client().events(since=int(since) - 1, until=int(until) + 1, decode=True,
                                           filters={"type": "container", "label": f"{LABEL}=1"})
    return list(stream)


def _container_of_a_dead_owner(image: str) -> Any:
    """What a grader run killed with SIGKILL leaves behind: a labelled container whose owner pid is gone."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    labels = {**docker_engine.labels("redis"), LABEL_OWNER_PID: str(gone.pid)}
    return docker_engine.client().containers.create(image, labels=labels)


def _actions(events: list[dict[str, Any]], action: str) -> set[str]:
    return {e["id"] for e in events if e["Action"] == action}


def _owned_by(pids: set[int]) -> list[Any]:
    return [c for c in docker_engine.grader_containers() if c.labels.get(LABEL_OWNER_PID) in {str(p) for p in pids}]


@pytest.mark.docker
@needs_engine
def test_reference_scores_full_on_docker_and_leaves_no_container(env: dict[str, str], images: dict[str, str]) -> None:
    crashed_run = _container_of_a_dead_owner(images["redis"])
    ran = run(["check", "sql-joins", "--solution", "--format", "json"], env)
    assert crashed_run.id not in {c.id for c in docker_engine.grader_containers()}, "the start did not prune"
    assert ran.code == 0, f"exit {ran.code}\n{ran.err}\n{ran.out[-2000:]}"
    report = ran.json()
    assert report["max_score"] > 0 and report["score"] == report["max_score"], report
    events = ran.events()
    created = _actions(events, "create")
    assert created, f"the check created no grader container, so it did not run on Docker: {ran.err}"
    assert {e["Actor"]["Attributes"][LABEL_SERVICE] for e in events} == {"postgres"}
    assert created <= _actions(events, "destroy"), "a container the check created was not removed"
    assert not _owned_by({ran.pid}), "a container of the finished check is still there"


@pytest.mark.docker
@needs_engine
def test_check_reuses_warm_containers_and_down_removes_them(env: dict[str, str]) -> None:
    try:
        up = run(["services", "up"], env)
        assert up.code == 0, up.err + up.out
        status = run(["services", "status", "--format", "json"], env).json()
        assert {s["service"]: s["backend"] for s in status} == {"postgres": "docker", "redis": "docker"}
        assert all("@127.0.0.1:" in s["url"] for s in status), status
        keepers = {s["pid"] for s in status}
        warm_ids = {c.id for c in _owned_by(keepers)}
        assert len(warm_ids) == 2, f"expected one container per warm service, found {len(warm_ids)}"
        postgres_url = next(s["url"] for s in status if s["service"] == "postgres")
        assert not _templates(postgres_url), "a fresh warm server should hold no seeded template yet"

        ran = run(["check", "sql-joins", "--solution", "--format", "json"], env)
        assert ran.code == 0, ran.err + ran.out[-2000:]
        assert ran.json()["score"] == ran.json()["max_score"]
        assert not _actions(ran.events(), "create"), "the check started its own container instead of the warm one"
        assert {c.id for c in _owned_by(keepers)} == warm_ids, "the warm containers changed during the check"
        assert _templates(postgres_url), "the check did not seed on the warm server"
    finally:
        down = run(["services", "down"], env)
    assert down.code == 0, down.err + down.out
    assert not _owned_by(keepers), "`services down` left a warm container behind"
    assert run(["services", "status", "--format", "json"], env).json() == []


def _templates(admin_url: str) -> list[str]:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datistemplate AND datname NOT LIKE 'template%'")
        return [str(r[0]) for r in rows.fetchall()]


@pytest.mark.docker
@needs_engine
def test_missing_image_is_a_grader_error_that_names_the_image_and_the_fix(env: dict[str, str]) -> None:
    ran = run(["check", "sql-joins", "--solution", "--format", "json"], {**env, "GRADER_POSTGRES_IMAGE": MISSING_IMAGE})
    assert ran.code == 2, ran.err + ran.out
    lab = ran.json()["labs"][0]
    assert lab["status"] == "error"
    text = json.dumps(lab)
    assert MISSING_IMAGE in text and "make docker-images" in text and "GRADER_POSTGRES_IMAGE" in text, text
    assert not _actions(ran.events(), "create")


@pytest.mark.docker
@needs_engine
def test_a_container_that_exits_is_reported_with_its_log_and_removed(env: dict[str, str]) -> None:
    # A Redis image posing as PostgreSQL: its entrypoint cannot run `postgres` and the container exits.
    broken = {**env, "GRADER_POSTGRES_IMAGE": env["GRADER_REDIS_IMAGE"]}
    ran = run(["check", "sql-joins", "--solution", "--format", "json"], broken)
    assert ran.code == 2, ran.err + ran.out
    lab = ran.json()["labs"][0]
    assert lab["status"] == "error"
    text = json.dumps(lab)
    assert "exited" in text and "last 15 log lines" in text, text
    assert "postgres: not found" in text, "the container's own log lines should be quoted"
    assert "GRADER_POSTGRES_IMAGE" in text, "the hint should name the variable that chose the image"
    assert _actions(ran.events(), "create") and not _owned_by({ran.pid})


@pytest.mark.docker
@needs_engine
def test_a_start_that_times_out_is_reported_with_the_log_and_a_hint(env: dict[str, str]) -> None:
    # PostgreSQL needs about a second to initialise its cluster; 0.2 s is too short.
    ran = run(["check", "sql-joins", "--solution", "--format", "json"], {**env, "GRADER_DOCKER_START_TIMEOUT": "0.2"})
    assert ran.code == 2, ran.err + ran.out
    lab = ran.json()["labs"][0]
    assert lab["status"] == "error"
    text = json.dumps(lab)
    assert "did not answer within 0.2 s" in text and "last 15 log lines" in text, text
    assert "GRADER_DOCKER_START_TIMEOUT" in text, "the hint should say how to wait longer"
    assert _actions(ran.events(), "create") and not _owned_by({ran.pid})


@pytest.mark.docker
@needs_engine
def test_prune_removes_containers_of_dead_owners_only(env: dict[str, str], images: dict[str, str]) -> None:
    dead = _container_of_a_dead_owner(images["redis"])
    alive = docker_engine.client().containers.create(images["redis"], labels=docker_engine.labels("redis"))
    try:
        ran = run(["services", "prune"], env)
        assert ran.code == 0, ran.err + ran.out
        left = {c.id for c in docker_engine.grader_containers()}
        assert dead.id not in left, ran.out
        assert alive.id in left, "prune removed a container whose owner is alive"
        assert dead.short_id in ran.out
    finally:
        for container in (dead, alive):
            with contextlib.suppress(Exception):
                container.remove(force=True)


@pytest.mark.docker
@needs_engine
def test_containers_publish_on_loopback_only_with_labels(
    images: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.services.docker_backend import DockerRedis

    monkeypatch.setenv("GRADER_REDIS_IMAGE", images["redis"])
    backend = DockerRedis()
    backend.start()
    try:
        assert backend.ready() and backend.url().startswith("redis://:") and "@127.0.0.1:" in backend.url()
        container = docker_engine.client().containers.get(backend.container_id())
        bindings = container.attrs["NetworkSettings"]["Ports"]["6379/tcp"]
        assert bindings and {b["HostIp"] for b in bindings} == {"127.0.0.1"}, bindings
        assert container.labels[LABEL] == "1" and container.labels[LABEL_SERVICE] == "redis"
        assert container.labels[LABEL_OWNER_PID] == str(os.getpid())
    finally:
        backend.stop()
    assert container.id not in {c.id for c in docker_engine.grader_containers()}, "stop() left the container"


@pytest.mark.docker
@needs_engine
def test_auto_takes_docker_when_the_image_is_here_else_falls_back_with_a_notice(
    images: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from grader.services.docker_backend import DockerBackend
    from grader.services.select import choose

    for name in ("GRADER_BACKEND", "GRADER_POSTGRES_BACKEND", "GRADER_POSTGRES_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRADER_POSTGRES_IMAGE", images["postgres"])
    assert isinstance(choose("postgres"), DockerBackend)

    monkeypatch.setenv("GRADER_POSTGRES_IMAGE", MISSING_IMAGE)
    try:
        fallback = choose("postgres")
    except ServiceUnavailable as exc:  # no local PostgreSQL on this machine: still not docker, and said why
        assert "no postgres server could be had" in exc.problem
    else:
        assert not isinstance(fallback, DockerBackend)
    notice = capsys.readouterr().err
    assert MISSING_IMAGE in notice and "make docker-images" in notice and len(notice.strip().splitlines()) <= 2

    monkeypatch.setenv("GRADER_BACKEND", "docker")
    explicit = choose("postgres")
    with pytest.raises(ServiceUnavailable, match="make docker-images"):
        explicit.start()

    # Offline machines can forbid the pull attempt altogether.
    monkeypatch.setenv("GRADER_DOCKER_PULL", "never")
    monkeypatch.setenv("GRADER_POSTGRES_IMAGE", "backend-labs/never-pulled:0")
    with pytest.raises(ServiceUnavailable, match="GRADER_DOCKER_PULL=never"):
        choose("postgres").start()
    assert "pulling" not in capsys.readouterr().err


@pytest.mark.docker
@needs_engine
def test_mongodb_container_is_a_writable_replica_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.services.docker_backend import DockerMongo

    image = os.environ.get("GRADER_MONGODB_IMAGE") or docker_engine.DEFAULT_IMAGE["mongodb"]
    if docker_engine.client().images.list(name=image) == []:
        reason = f"no MongoDB image {image} on this machine (no registry to pull from; set GRADER_MONGODB_IMAGE)"
        print(f"\n{reason}", file=sys.__stderr__)
        pytest.skip(reason)
    backend = DockerMongo()
    backend.start()
    try:
        import pymongo

        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(backend.url())
        assert client.admin.command("hello")["isWritablePrimary"]
        with client.start_session() as session, session.start_transaction():
            client.grader_probe.items.insert_one({"ok": 1}, session=session)
        client.close()
    finally:
        backend.stop()


def _compose_command() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    found = shutil.which("docker-compose")
    return [found] if found else None


def test_compose_file_validates() -> None:
    command = _compose_command()
    if command is None:
        reason = "neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)"
        print(f"\n{reason}", file=sys.__stderr__)
        pytest.skip(reason)
    result = subprocess.run([*command, "-f", str(ROOT / "compose" / "docker-compose.yml"), "config"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    config = result.stdout
    for service in ("postgres:", "mongo:", "redis:"):
        assert service in config
    assert config.count("healthcheck:") == 3
    assert "127.0.0.1" in config and "0.0.0.0" not in config
