"""Warm services: `grader services up` leaves one keeper process per service running between commands.

A keeper owns its server exactly as a grading run would, and writes `.grader/services/<name>.json`
so that later commands reuse the server and `down` stops exactly what `up` started.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from grader import pids
from grader.errors import GraderError, ServiceUnavailable
from grader.paths import state_dir
from grader.services.base import ServiceName
from grader.services.probes import answers

START_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class WarmService:
    service: ServiceName
    backend: str
    description: str
    url: str
    pid: int
    started_at: float


def folder() -> Path:
    path = state_dir() / "services"
    path.mkdir(exist_ok=True)
    return path


def state_file(service: str) -> Path:
    return folder() / f"{service}.json"


def write(state: WarmService) -> None:
    target = state_file(state.service)
    temp = target.with_suffix(".tmp")
    temp.write_text(json.dumps(asdict(state)))
    temp.chmod(0o600)  # it holds an administrator password
    temp.replace(target)


def _failure_file(service: str) -> Path:
    return folder() / f"{service}.failure"  # not *.json: that is a running service


def write_failure(service: str, exc: GraderError) -> None:
    """The keeper's reason for giving up, as problem and fix, for the command waiting on it."""
    _failure_file(service).write_text(json.dumps({"problem": exc.problem, "fix": exc.fix}))


def _failure(service: str, log: Path) -> ServiceUnavailable:
    try:
        data = json.loads(_failure_file(service).read_text())
        return ServiceUnavailable(str(data["problem"]), str(data["fix"]))
    except (OSError, ValueError, KeyError, TypeError):
        return ServiceUnavailable(f"{service} did not start:\n{log.read_text(errors='replace').strip()}",
                                  "see the lines above")


def read(service: str) -> WarmService | None:
    """The warm service if its keeper is alive and its server answers; stale files are removed."""
    path = state_file(service)
    try:
        state = WarmService(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if pids.alive(state.pid) and answers(state.service, state.url):
        return state
    if not pids.alive(state.pid):
        path.unlink(missing_ok=True)
    return None


def all_warm() -> list[WarmService]:
    return [s for s in (read(p.stem) for p in sorted(folder().glob("*.json"))) if s is not None]


def up(service: ServiceName) -> WarmService:
    """Start a keeper for `service` unless one is already warm; return its state."""
    existing = read(service)
    if existing is not None:
        return existing
    log = folder() / f"{service}.log"
    _failure_file(service).unlink(missing_ok=True)
    with log.open("w") as log_file:
        keeper = subprocess.Popen(
            [sys.executable, "-m", "grader.services.keeper", service],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives the terminal and Ctrl-C of the command that started it
            env={**os.environ, "GRADER_ROOT": str(state_dir().parent)},
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        state = read(service)
        if state is not None:
            return state
        if keeper.poll() is not None:
            raise _failure(service, log)
        time.sleep(0.1)
    keeper.kill()
    raise ServiceUnavailable(f"{service} did not start within {START_TIMEOUT_S:.0f} s", f"see {log}")


def down(service: str, timeout_s: float = 60.0) -> bool:
    """Stop the keeper of `service`; True when there was one."""
    path = state_file(service)
    try:
        state = WarmService(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return False
    if pids.alive(state.pid):
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while pids.alive(state.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pids.alive(state.pid):
            os.killpg(state.pid, signal.SIGKILL)
    if state.backend == "docker":
        # A keeper that had to be killed could not remove its container; its owner label names it.
        from grader.services.docker_engine import remove_owned_by

        with contextlib.suppress(ServiceUnavailable):  # no engine answers: no container to remove
            remove_owned_by(state.pid)
    path.unlink(missing_ok=True)
    return True
