"""MongoDB `local` backend: `mongod` from PATH in a temp dir on a free port, as a one-node replica set.

It always runs as replica set `rs0`, because transactions need one and a one-node set costs
nothing else. Like every local server it runs as the unprivileged account when we are root.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ServiceUnavailable
from grader.services.local_backend import LocalServerBackend
from grader.services.server_process import ServerProcess, free_port, private_dir, run_as

REPLICA_SET = "rs0"
PRIMARY_TIMEOUT_S = 60.0
HOW_TO_GET_ONE = (
    "install MongoDB so that `mongod` is on PATH (or set GRADER_MONGOD to it), or start Docker (mongo:7 image), "
    "or set GRADER_MONGODB_URL to a running server; GRADER_MONGODB_BACKEND=emulated previews a lab on "
    "mongomock, not for final grading"
)


def ways_to_get_a_server(lab_id: str, docker_answers: bool) -> str:
    """One paragraph for a learner whose machine has no MongoDB: every way to get one, then the preview."""
    docker = ("Docker answers here but has no mongo:7 image: `docker pull mongo:7` (or set GRADER_MONGODB_IMAGE "
              "to an image you have)" if docker_answers else "start Docker; the grader then runs the mongo:7 image")
    return (
        "This lab needs a MongoDB server and none could be had on this machine. Any one of these gives you one: "
        "install MongoDB so that `mongod` is on PATH (or set GRADER_MONGOD to the binary); "
        f"{docker}; or set GRADER_MONGODB_URL to a server you run (for example `make services-up SERVICES=mongodb` "
        "where Docker Compose works, or a free MongoDB Atlas cluster). Then run `make lab LAB="
        f"{lab_id}` again. Meanwhile, a labelled preview: `GRADER_MONGODB_BACKEND=emulated grader check {lab_id}` "
        "runs the checks on an emulator (mongomock) inside the grader — NOT a real MongoDB server; checks that need "
        "one end as 'error', and final grading uses a real server."
    )


@dataclass(frozen=True)
class MongodBinary:
    path: Path
    source: str


def find_binary() -> MongodBinary:
    """$GRADER_MONGOD, else `mongod` on PATH; there is no pip-installable MongoDB server."""
    configured = os.environ.get("GRADER_MONGOD")
    if configured:
        if not Path(configured).is_file():
            raise ServiceUnavailable(f"GRADER_MONGOD={configured} is not a file", "point it at the mongod binary")
        return MongodBinary(Path(configured), f"GRADER_MONGOD ({configured})")
    found = shutil.which("mongod")
    if found:
        return MongodBinary(Path(found), f"system mongod ({found})")
    raise ServiceUnavailable("no `mongod` binary on PATH", HOW_TO_GET_ONE)


def initiate_replica_set(url: str, port: int, timeout_s: float = PRIMARY_TIMEOUT_S) -> None:
    """Make the fresh mongod a one-node replica set and wait until it is primary (writes need that)."""
    import pymongo
    from pymongo.errors import OperationFailure, PyMongoError

    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        url, directConnection=True, serverSelectionTimeoutMS=5000
    )
    try:
        try:
            client.admin.command(
                "replSetInitiate", {"_id": REPLICA_SET, "members": [{"_id": 0, "host": f"127.0.0.1:{port}"}]}
            )
        except OperationFailure as exc:
            if "already initialized" not in str(exc):
                raise ServiceUnavailable(f"replSetInitiate failed: {exc}", "see the mongod log") from None
        except PyMongoError as exc:
            raise ServiceUnavailable(f"mongod does not answer: {exc}", "see the mongod log") from None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if client.admin.command("hello").get("isWritablePrimary"):
                    return
            except PyMongoError:
                pass
            time.sleep(0.2)
    finally:
        client.close()
    raise ServiceUnavailable(f"mongod did not become primary within {timeout_s:g} s", "see the mongod log")


class LocalMongo(LocalServerBackend):
    """A private mongod (replica set rs0) in a temp dir on 127.0.0.1, gone after stop()."""

    service = "mongodb"

    def __init__(self) -> None:
        self.binary = find_binary()

    def start(self) -> None:
        account = run_as()
        folder = private_dir("grader-mongo-", account)
        data = folder / "data"
        data.mkdir()
        if account is not None:
            os.chown(data, account.pw_uid, account.pw_gid)
        self.port = free_port()
        command = [str(self.binary.path), "--dbpath", str(data), "--port", str(self.port),
                   "--bind_ip", "127.0.0.1", "--replSet", REPLICA_SET, "--nounixsocket",
                   "--wiredTigerCacheSizeGB", "0.25", "--setParameter", "diagnosticDataCollectionEnabled=false"]
        self._process = ServerProcess(command, self.port, folder, account, "mongod.log")
        try:
            self._process.start()
        except OSError as exc:  # e.g. the binary is not executable by the account servers run as
            self.stop()
            who = f" as user '{account.pw_name}'" if account is not None else ""
            raise ServiceUnavailable(f"cannot run {self.binary.path}{who}: {exc}",
                                     "make mongod readable and executable by that user") from None
        try:
            # An open port is not a usable server (testcontainers-python#1122): ping, then initiate.
            initiate_replica_set(self._direct_url(), self.port)
        except ServiceUnavailable as exc:
            tail = self._process.log_tail()
            self.stop()
            raise ServiceUnavailable(f"{exc.problem}\n--- last log lines ---\n{tail}", exc.fix) from None
        self._wait_until_answering("mongod opened its port but does not answer ping")

    def _direct_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?replicaSet={REPLICA_SET}"

    def describe(self) -> str:
        return f"local, {self.binary.source}, replica set {REPLICA_SET}"
