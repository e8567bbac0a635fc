"""A killed run's local server and its folder are removed by the next run (or `grader services
prune`), found by the owner pid recorded in the folder; a live owner's folder is left alone."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from grader import leftovers, pids
from grader.services.server_process import OWNER_FILE


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_dead_owners_server_and_folder_are_removed() -> None:
    folder = Path(tempfile.mkdtemp(prefix="grader-pg-"))
    (folder / OWNER_FILE).write_text(str(_dead_pid()))
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", str(folder / "data")],
                              start_new_session=True)
    try:
        removed = leftovers.prune_local()
        server.wait(timeout=15)
        assert not folder.exists()
        assert any(str(folder) in line for line in removed)
    finally:
        if server.poll() is None:
            server.kill()


def test_a_live_owners_folder_stays() -> None:
    folder = Path(tempfile.mkdtemp(prefix="grader-pg-"))
    (folder / OWNER_FILE).write_text(str(Path("/proc/self").resolve().name))
    try:
        leftovers.prune_local()
        assert folder.exists() and pids.alive(int((folder / OWNER_FILE).read_text()))
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
