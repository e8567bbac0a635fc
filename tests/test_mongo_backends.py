"""MongoDB backends: choice rules, the emulator's label, and real servers wherever one answers.

The local and docker tests start real mongod servers; on a machine without `mongod` or without a
Docker engine and the mongo image they are skipped with a reason naming what is missing. They are
never replaced by the emulator.
"""

from __future__ import annotations

import os
import shutil

import pymongo
import pytest

from grader.errors import ServiceUnavailable, UsageError
from grader.services import select
from grader.services.base import ServiceBackend
from grader.services.emulated_mongo import EmulatedMongo
from grader.services.probes import answers


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("GRADER_BACKEND", "GRADER_MONGODB_BACKEND", "GRADER_MONGODB_URL", "GRADER_MONGOD"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_emulated_only_from_the_mongodb_variable(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("GRADER_MONGODB_BACKEND", "emulated")
    backend = select.choose("mongodb")
    assert isinstance(backend, EmulatedMongo)
    assert "NOT a real MongoDB server" in backend.describe()
    clean_env.delenv("GRADER_MONGODB_BACKEND")
    clean_env.setenv("GRADER_BACKEND", "emulated")
    with pytest.raises(UsageError):
        select.choose("mongodb")
    clean_env.setenv("GRADER_BACKEND", "auto")
    clean_env.setenv("GRADER_POSTGRES_BACKEND", "emulated")
    with pytest.raises(UsageError):
        select.requested_backend("postgres")


def test_auto_never_picks_the_emulator_and_names_three_ways(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PATH", "/nonexistent")
    clean_env.setattr(select, "docker_available", lambda: False)
    with pytest.raises(ServiceUnavailable) as caught:
        select.choose("mongodb")
    text = str(caught.value)
    for way in ("Docker", "mongod", "GRADER_MONGODB_URL"):
        assert way in text, f"the error should name {way}: {text}"


def test_grader_mongod_pointing_nowhere_is_a_clear_error(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("GRADER_MONGOD", "/nonexistent/mongod")
    clean_env.setenv("GRADER_MONGODB_BACKEND", "local")
    with pytest.raises(ServiceUnavailable, match="GRADER_MONGOD"):
        select.choose("mongodb")


def _exercise(backend: ServiceBackend) -> None:
    """A started backend: answers, is a replica-set primary, and commits a multi-document transaction."""
    assert backend.ready()
    assert answers("mongodb", backend.url())
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(backend.url(), serverSelectionTimeoutMS=5000)
    try:
        assert client.admin.command("hello").get("isWritablePrimary") is True
        db = client["grader_backend_test"]
        db.drop_collection("t")
        db.create_collection("t")
        with client.start_session() as session, session.start_transaction():
            db.t.insert_one({"_id": 1}, session=session)
            db.t.insert_one({"_id": 2}, session=session)
        assert db.t.count_documents({}) == 2
        client.drop_database("grader_backend_test")
    finally:
        client.close()


def _local_problem() -> str | None:
    if shutil.which("mongod") is None and not os.environ.get("GRADER_MONGOD"):
        return "no `mongod` on PATH and GRADER_MONGOD unset: the local MongoDB backend cannot run here"
    return None


def _docker_problem() -> str | None:
    try:
        from grader.services import docker_engine

        if not docker_engine.engine_answers():
            return "no Docker engine answers: the docker MongoDB backend cannot run here"
        problem = docker_engine.image_problem(docker_engine.image_for("mongodb"))
    except Exception as exc:  # the docker backend module itself may be unusable here
        return f"the docker backend cannot be used: {exc}"
    return f"the MongoDB image is not available ({problem}): the docker backend cannot run here" if problem else None


def test_local_mongod_replica_set(clean_env: pytest.MonkeyPatch) -> None:
    problem = _local_problem()
    if problem:
        pytest.skip(problem)
    from grader.services.mongodb import LocalMongo

    backend = LocalMongo()
    backend.start()
    try:
        _exercise(backend)
    finally:
        backend.stop()
    assert not answers("mongodb", f"mongodb://127.0.0.1:{backend.port}/?directConnection=true", timeout_s=1)


@pytest.mark.docker
def test_docker_mongo_replica_set() -> None:
    problem = _docker_problem()
    if problem:
        pytest.skip(problem)
    backend = select.FACTORIES["docker"]("mongodb")
    backend.start()
    try:
        _exercise(backend)
    finally:
        backend.stop()


@pytest.mark.skipif(not os.environ.get("GRADER_MONGODB_URL"), reason="GRADER_MONGODB_URL is not set")
def test_url_backend_answers() -> None:
    backend = select.FACTORIES["url"]("mongodb")
    backend.start()
    assert backend.ready()


def test_emulated_proof_counts_only_checks_that_ran() -> None:
    from grader.services.emulated_mongo import NOT_ON_EMULATOR, emulated_proof

    refused = ("error", f"GraderFault: {NOT_ON_EMULATOR}: this check needs explain plans")
    assert emulated_proof([("pass", ""), refused], expect_full=True) is True
    assert emulated_proof([("fail", "x"), refused], expect_full=True) is False
    assert emulated_proof([("pass", ""), refused], expect_full=False) is None  # only a real server can tell
    assert emulated_proof([("fail", "x"), refused], expect_full=False) is True
    assert emulated_proof([("pass", ""), ("error", "GraderFault: lost connection")], expect_full=True) is False
    assert emulated_proof([refused], expect_full=True) is False  # nothing ran: nothing proven


def test_a_mongod_that_never_answers_is_a_clear_error_and_leaves_nothing(clean_env: pytest.MonkeyPatch) -> None:
    """A stand-in binary that opens the port but speaks no MongoDB: start() fails with the log, stop() cleans up."""
    import stat
    import sys
    import tempfile
    from pathlib import Path

    from grader.services.mongodb import LocalMongo

    folder = Path(tempfile.mkdtemp(prefix="grader-fake-mongod-"))
    folder.chmod(0o755)
    fake = folder / "mongod"
    interpreter = "/usr/bin/python3" if Path("/usr/bin/python3").is_file() else sys.executable  # runnable by nobody
    fake.write_text(
        f"#!{interpreter}\n"
        "import socket, sys, time\n"
        "port = int(sys.argv[sys.argv.index('--port') + 1])\n"
        "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "s.bind(('127.0.0.1', port)); s.listen(5)\n"
        "print('fake mongod listening', flush=True)\n"
        "while True:\n    conn, _ = s.accept(); conn.close()\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
    clean_env.setenv("GRADER_MONGOD", str(fake))
    backend = LocalMongo()
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            backend.start()
        assert "fake mongod listening" in str(caught.value), "the error should show the server's log"
        assert backend._process is None, "a failed start must stop the process it started"
    finally:
        backend.stop()
        shutil.rmtree(folder, ignore_errors=True)
