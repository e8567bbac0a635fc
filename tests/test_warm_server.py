"""The warm grader looks for what killed runs left once it is idle after commands, so the commands
it serves do not pay for the sweep and the leftovers still go."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.services.server_process import OWNER_FILE
from grader.warm_grader import control
from tests.helpers import copy_of_repo


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_leftovers_of_a_killed_run_go_once_the_warm_grader_is_idle_after_a_command() -> None:
    root = copy_of_repo(["sql-joins"])
    state = root / ".grader"
    state.mkdir()
    control.up(state)
    folder = Path(tempfile.mkdtemp(prefix="grader-pg-"))  # made after the server's start-up sweep
    try:
        (folder / OWNER_FILE).write_text(str(_dead_pid()))
        served = subprocess.run([str(Path(sys.executable).with_name("grader")), "list", "--format", "json"],
                                env={**os.environ, "GRADER_ROOT": str(root)}, capture_output=True, text=True,
                                timeout=60, check=False)
        assert served.returncode == 0 and '"sql-joins"' in served.stdout, served.stderr
        log = state / "grader-server.log"
        deadline = time.monotonic() + 30
        while log.read_text().count("looked for leftovers") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert log.read_text().count("looked for leftovers") == 2, "no sweep at start and when idle"
        assert not folder.exists(), "the dead run's server folder was left"  # (other runs' sweeps may go first)
    finally:
        control.down(state)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)
