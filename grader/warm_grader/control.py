"""Starting and stopping the warm grader beside the warm services (`grader services up|down`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader import pids
from grader.warm_grader import protocol

START_TIMEOUT_S = 60.0


def status(state: Path) -> dict[str, object] | None:
    info = protocol.read_info(state)
    return info if info is not None and info.get("code") == protocol.code_fingerprint() else None


def up(state: Path) -> dict[str, object]:
    """Start the warm grader unless one runs this code already; a stale one is replaced."""
    current = protocol.read_info(state)
    if current is not None:
        if current.get("code") == protocol.code_fingerprint():
            return current
        down(state)
    log = state / "grader-server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "grader.warm_grader.server", str(state)],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        info = protocol.read_info(state)
        if info is not None and info.get("pid") == server.pid:
            return info
        if server.poll() is not None:
            raise RuntimeError(f"the warm grader did not start: {log.read_text(errors='replace').strip()[-2000:]}")
        time.sleep(0.05)
    server.kill()
    raise RuntimeError(f"the warm grader did not start within {START_TIMEOUT_S:g} s; see {log}")


def down(state: Path) -> bool:
    info = protocol.read_info(state)
    if info is None:
        protocol.info_path(state).unlink(missing_ok=True)
        return False
    pid = int(str(info["pid"]))
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while pids.alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pids.alive(pid):
        os.kill(pid, signal.SIGKILL)
    protocol.info_path(state).unlink(missing_ok=True)
    protocol.socket_path(state).unlink(missing_ok=True)
    return True
